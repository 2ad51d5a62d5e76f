"""The image's default entrypoint, run here: Jupyter Lab on 127.0.0.1, driven through its REST and kernel
(websocket) APIs as a student's browser would: open the student notebook from lab/ and run its set-up cells."""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def jupyter(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "DETOXLAB_WORKSPACE": str(tmp_path / "work"),
           "JUPYTER_IP": "127.0.0.1", "JUPYTER_PORT": str(port), "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = (tmp_path / "jupyter.log").open("w")
    argv = ["bash", str(REPO / "docker" / "entrypoint.sh"), "lab", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # the image runs as uid 1000; CI machines may run tests as root
        argv.append("--allow-root")
    server = subprocess.Popen(argv,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited with {server.returncode}:\n{(tmp_path / 'jupyter.log').read_text()}")
            try:
                if requests.get(f"{base}/api/status", headers={"Authorization": f"token {token}"}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.time() > deadline:
                pytest.fail(f"jupyter lab did not answer in 90 s:\n{(tmp_path / 'jupyter.log').read_text()}")
            time.sleep(0.5)
        yield base, token, tmp_path / "work"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def execute(channel, code: str, timeout: float = 180) -> list[dict]:
    """Send one execute_request on the kernel's websocket; return its iopub messages until idle."""
    msg_id = uuid.uuid4().hex
    channel.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "student", "session": uuid.uuid4().hex,
                   "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    replies, deadline = [], time.time() + timeout
    while time.time() < deadline:
        message = json.loads(channel.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        replies.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return replies
    raise AssertionError(f"no reply within {timeout} s to: {code[:80]}")


@pytest.mark.slow
def test_student_opens_the_lab_and_runs_the_set_up_cells(jupyter):
    base, token, workspace = jupyter
    auth = {"Authorization": f"token {token}"}
    # the file browser: the workspace was seeded with the student notebook
    listing = requests.get(f"{base}/api/contents/lab", headers=auth, timeout=10).json()
    assert "detox_lab.ipynb" in [item["name"] for item in listing["content"]]
    notebook = requests.get(f"{base}/api/contents/lab/detox_lab.ipynb", headers=auth, timeout=10).json()["content"]
    on_disk = json.loads((REPO / "lab" / "detox_lab.ipynb").read_text())["cells"]
    assert [c["source"] for c in notebook["cells"]] == ["".join(c["source"]) for c in on_disk]
    # opening the notebook starts a session with its kernel
    kernel_name = notebook["metadata"]["kernelspec"]["name"]
    session = requests.post(f"{base}/api/sessions", headers=auth, timeout=60, json={
        "path": "lab/detox_lab.ipynb", "type": "notebook", "name": "detox_lab.ipynb", "kernel": {"name": kernel_name}})
    assert session.status_code == 201, session.text
    kernel_id = session.json()["kernel"]["id"]
    channel = websocket.create_connection(
        f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/api/kernels/{kernel_id}/channels?token={token}", timeout=180)
    try:
        # the set-up cells: every code cell before section 2
        set_up = []
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown" and cell["source"].startswith("## 2"):
                break
            if cell["cell_type"] == "code":
                set_up.append(cell["source"])
        assert len(set_up) >= 2
        outputs = []
        for code in set_up:
            replies = execute(channel, code)
            errors = [m["content"] for m in replies if m["msg_type"] == "error"]
            assert not errors, f"{code[:60]!r} failed: {errors[0]['ename']}: {errors[0]['evalue']}"
            outputs += [m["content"]["text"] for m in replies if m["msg_type"] == "stream"]
        text = "".join(outputs)
        assert "torch" in text and "trl" in text and "MISMATCH" not in text, text
        assert "profile mini" in text
        cwd = "".join(m["content"].get("text", "") for m in execute(channel, "import os; print(os.getcwd())")
                      if m["msg_type"] == "stream").strip()
        assert Path(cwd) == workspace / "lab", "the kernel runs beside the notebook, in the workspace"
    finally:
        channel.close()
        requests.delete(f"{base}/api/sessions/{session.json()['id']}", headers=auth, timeout=30)
