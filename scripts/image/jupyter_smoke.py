"""The image's `lab` mode, checked as a student meets it: through the Jupyter server's own API.

Given the server's address and token: the API refuses a request without the token (403) and answers with
it; the student notebook is in the workspace; a kernel started for it runs the notebook's first code cells
(the environment report, the parameters, the imports) without an error. With --screenshot, a real browser
(Debian's chromium, driven by selenium) opens the lab's URL, waits until the student notebook is shown,
and saves a screenshot.

    python jupyter_smoke.py http://127.0.0.1:8888 TOKEN [--cells 3] [--screenshot docs/images/lab.png]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

NOTEBOOK = "lab/detox_lab.ipynb"


def get(url: str, token: str | None = None, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def wait_for_server(base: str, token: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if get(f"{base}/api/status", token)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"jupyter-smoke: no server at {base} after {seconds:.0f} s")
        time.sleep(1)


def run_cells(base: str, token: str, sources: list[str], seconds: float) -> list[str]:
    """Run ``sources`` in a kernel of a new session on the notebook; return each cell's text output."""
    from tornado.httpclient import HTTPRequest
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    status, session = get(f"{base}/api/sessions", token, "POST",
                          {"path": NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}})
    if status != 201:
        sys.exit(f"jupyter-smoke: starting a kernel for {NOTEBOOK} answered {status}")
    kernel = session["kernel"]["id"]
    ws_url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels"

    async def execute() -> list[str]:
        connection = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
        outputs = []
        for index, source in enumerate(sources):
            msg_id = uuid.uuid4().hex
            await connection.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "smoke", "session": msg_id,
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": source, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            text, deadline = [], time.monotonic() + seconds
            while True:
                if time.monotonic() > deadline:
                    raise SystemExit(f"jupyter-smoke: cell {index + 1} did not finish in {seconds:.0f} s")
                raw = await connection.read_message()
                if raw is None:
                    raise SystemExit("jupyter-smoke: the kernel's connection closed")
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    text.append(content["text"])
                elif kind == "error":
                    raise SystemExit(f"jupyter-smoke: cell {index + 1} failed: {content['ename']}: {content['evalue']}")
                elif kind == "execute_reply" and message["channel"] == "shell":
                    if content["status"] != "ok":
                        raise SystemExit(f"jupyter-smoke: cell {index + 1} ended with status {content['status']}")
                    break
            outputs.append("".join(text))
            print(f"jupyter-smoke: cell {index + 1} of {len(sources)} ran ({len(outputs[-1])} characters of output)")
        connection.close()
        return outputs

    try:
        return IOLoop.current().run_sync(execute)
    finally:
        get(f"{base}/api/sessions/{session['id']}", token, "DELETE")


def screenshot(base: str, token: str, path: str, seconds: float) -> None:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))
    try:
        driver.get(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
        # the notebook is shown once its first markdown heading is rendered in the notebook panel
        WebDriverWait(driver, seconds).until(expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, ".jp-NotebookPanel .jp-RenderedMarkdown h1")))
        time.sleep(3)   # let the kernel indicator and the rest of the page settle for the picture
        title = driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-RenderedMarkdown h1").text
        driver.save_screenshot(path)
        print(f"jupyter-smoke: chromium shows {NOTEBOOK} ({title!r}); screenshot {path}")
    finally:
        driver.quit()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--cells", type=int, default=3, help="how many of the notebook's first code cells to run")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the server, each cell, the browser")
    parser.add_argument("--screenshot", help="save a browser screenshot of the lab here")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")

    wait_for_server(base, args.token, args.timeout)
    refused = get(f"{base}/api/contents/{NOTEBOOK}")[0]
    if refused != 403:
        sys.exit(f"jupyter-smoke: without the token the server answered {refused}, not 403")
    status, model = get(f"{base}/api/contents/{NOTEBOOK}", args.token)
    if status != 200 or model["type"] != "notebook":
        sys.exit(f"jupyter-smoke: {NOTEBOOK} is not in the workspace (HTTP {status})")
    print(f"jupyter-smoke: 403 without the token; {NOTEBOOK} served with it ({len(model['content']['cells'])} cells)")
    sources = [cell["source"] for cell in model["content"]["cells"] if cell["cell_type"] == "code"][:args.cells]
    outputs = run_cells(base, args.token, sources, args.timeout)
    if "trl" not in outputs[0]:
        sys.exit("jupyter-smoke: the environment report does not list trl:\n" + outputs[0])
    if args.screenshot:
        screenshot(base, args.token, args.screenshot, args.timeout)
    print("jupyter-smoke: ok")


if __name__ == "__main__":
    main()
