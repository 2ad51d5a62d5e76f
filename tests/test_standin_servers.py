"""scripts/image/standin_servers.py: the local hub the image build fetches from must behave like the hub for
huggingface_hub and datasets, or the build's assets stage would test nothing. Here `detoxlab assets fetch`
runs for real (a subprocess, as in the image build) against that hub, serving the committed stand-ins, and
moto's S3."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from detoxlab.assets import STAND_INS
from detoxlab.data import EMBEDDED_DIR
from detoxlab.profiles import load_profile
from asset_layout import reward_model_source
from test_fetch import ADAPTER, URI, bucket, full_profile_for_tests, s3_server  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts" / "image"))
import standin_servers  # noqa: E402

PINNED = load_profile("full").policy["revision"]


@pytest.fixture
def hub(tmp_path):
    """The stand-ins laid out as the servers' ``make`` lays out the real shapes; yields the hub's address."""
    root = tmp_path / "served" / "hub"
    for repo_id, source in ((standin_servers.FLAN, STAND_INS / "policy-base"),
                            (standin_servers.ROBERTA, reward_model_source(tmp_path / "reward-model"))):
        shutil.copytree(source, root / "models" / repo_id)
    data = root / "datasets" / standin_servers.DIALOGSUM
    data.mkdir(parents=True)
    for split in ("train", "validation", "test"):
        shutil.copyfile(EMBEDDED_DIR / f"{split}.csv", data / f"{split}.csv")
    (root / "commits.json").write_text(json.dumps({standin_servers.FLAN: PINNED}))

    handler = type("TestHub", (standin_servers.Hub,), {"repos": standin_servers.load_repos(root)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def request(url, method="GET", headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers or {}), timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_resolve_answers_with_the_hubs_headers(hub):
    status, headers, body = request(f"{hub}/{standin_servers.FLAN}/resolve/main/config.json", "HEAD")
    assert status == 200 and headers["X-Repo-Commit"] == PINNED and body == b""
    status, headers, body = request(f"{hub}/{standin_servers.FLAN}/resolve/{PINNED}/pytorch_model.bin",
                                    headers={"Range": "bytes=10-19"})
    whole = (STAND_INS / "policy-base" / "pytorch_model.bin").read_bytes()
    assert status == 206 and body == whole[10:20] and headers["X-Linked-Size"] == str(len(whole))
    assert headers["X-Linked-Etag"].strip('"') == __import__("hashlib").sha256(whole).hexdigest()
    assert request(f"{hub}/{standin_servers.FLAN}/resolve/main/absent.json")[1]["X-Error-Code"] == "EntryNotFound"
    assert request(f"{hub}/{standin_servers.FLAN}/resolve/{'0' * 40}/config.json")[1]["X-Error-Code"] == "RevisionNotFound"
    assert request(f"{hub}/api/models/nobody/nothing")[1]["X-Error-Code"] == "RepoNotFound"


def test_assets_fetch_runs_against_the_local_hub_and_s3(hub, bucket, tmp_path):
    s3, _, objects = bucket
    profile = full_profile_for_tests(tmp_path)
    profile.write_text(profile.read_text().replace("s3://dlai-generative-ai/models/peft-dialogue-summary-checkpoint/", URI))
    dest = tmp_path / "assets"
    env = {key: value for key, value in os.environ.items() if not key.endswith("_OFFLINE")}
    result = subprocess.run([str(REPO / ".venv" / "bin" / "detoxlab"), "assets", "fetch", "--profile", str(profile),
                             "--dest", str(dest), "--endpoint-url", s3],
                            env={**env, "HF_ENDPOINT": hub, "HF_HOME": str(tmp_path / "hf-home")},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    manifest = json.loads((dest / "full" / "MANIFEST.json").read_text())
    assert manifest["hub"][standin_servers.FLAN]["commit"] == PINNED
    assert manifest["data"][standin_servers.DIALOGSUM]["rows"] == {"train": 126, "validation": 15, "test": 30}
    assert set(manifest["files"]) == {f"{ADAPTER}/{name}" for name in objects}
    snapshot = dest / "huggingface" / "hub" / "models--google--flan-t5-base" / "snapshots" / PINNED
    assert (snapshot / "pytorch_model.bin").read_bytes() == (STAND_INS / "policy-base" / "pytorch_model.bin").read_bytes()
