"""Local stand-ins for the servers the image build downloads from, on 127.0.0.1 only.

The image's assets stage runs `detoxlab assets fetch --profile full` for real. Where the hub and S3 cannot
be reached (this project's CI, a course mirror being tested), this script serves what the fetch asks for:

* a small Hugging Face hub (HF_ENDPOINT) with the hub's URLs and headers, enough for huggingface_hub's
  downloads and `datasets.load_dataset`: repo info, file trees, paths-info, and ``resolve`` with
  ``X-Repo-Commit``, ``ETag`` / ``X-Linked-Etag`` (git sha1, or sha256 for LFS files) and ranges;
* moto's S3 server, holding the lab-2 adapter under the profile's ``policy.adapter_s3_uri``.

What it serves is made once by ``make`` from ../shared/data (DETOXLAB_DATA_DIR): the real configs and
tokenizers of google/flan-t5-base and facebook/roberta-hate-speech-dynabench-r4-target with random weights
of the real shapes (so the image has the real size and the full profile's parameter counts), a LoRA adapter
with the course's settings, and DialogSum's CSVs. None of it is a trained model.

    python scripts/image/standin_servers.py make DIR
    python scripts/image/standin_servers.py serve DIR --hub-port 8765 --s3-port 8766   # until killed
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

FLAN = "google/flan-t5-base"
ROBERTA = "facebook/roberta-hate-speech-dynabench-r4-target"
DIALOGSUM = "knkarthick/dialogsum"
LFS_SUFFIXES = (".bin", ".model", ".csv", ".safetensors")   # files the real repos keep in git LFS
SEED = 0


# ---------------------------------------------------------------------------------------------------------
# What is served


def make(dest: Path, data_dir: Path) -> None:
    """Write the hub's repositories under ``dest/hub/{models,datasets}/<id>/`` and the adapter under
    ``dest/s3/``; a folder already made is kept (the weights take a minute)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import (RobertaConfig, RobertaForSequenceClassification, T5Config,
                              T5ForConditionalGeneration)

    from detoxlab.profiles import load_profile

    done = dest / "MADE"
    if done.exists():
        print(f"standin-servers: {dest} already made")
        return
    configs, tokenizers = data_dir / "configs", data_dir / "tokenizers"
    for needed in (configs / "flan-t5-base", tokenizers / "flan-t5-base", configs / ROBERTA.split("/")[1],
                   tokenizers / "roberta-base", data_dir / "dialogsum"):
        if not needed.is_dir():
            sys.exit(f"standin-servers: {needed} is missing; DETOXLAB_DATA_DIR must be ../shared/data")
    torch.manual_seed(SEED)
    models = dest / "hub" / "models"

    flan = models / FLAN
    flan.mkdir(parents=True, exist_ok=True)
    # not tokenizer.json: the shared copy was re-saved by a newer tokenizers, whose format the pinned one
    # cannot read; without it transformers builds the fast tokenizer from spiece.model, as for the original
    for source in (configs / "flan-t5-base", tokenizers / "flan-t5-base"):
        for path in source.iterdir():
            if path.suffix in (".json", ".model") and path.name != "tokenizer.json":
                shutil.copyfile(path, flan / path.name)
    t5 = T5ForConditionalGeneration(T5Config.from_pretrained(flan))
    torch.save(t5.state_dict(), flan / "pytorch_model.bin")

    roberta = models / ROBERTA
    roberta.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(configs / ROBERTA.split("/")[1] / "config.json", roberta / "config.json")
    for path in (tokenizers / "roberta-base").iterdir():
        if path.name != "README.md":
            shutil.copyfile(path, roberta / path.name)
    classifier = RobertaForSequenceClassification(RobertaConfig.from_pretrained(roberta))
    torch.save(classifier.state_dict(), roberta / "pytorch_model.bin")

    # the course's LoRA settings on the random base; lora_B made non-zero so that the adapter changes the model
    lora = load_profile("full").lora
    adapted = get_peft_model(t5, LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], target_modules=lora["target_modules"],
                                            lora_dropout=lora["dropout"], task_type=lora["task_type"]))
    with torch.no_grad():
        for name, parameter in adapted.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0.0, 0.01)
    adapter = dest / "s3" / "adapter"
    adapted.save_pretrained(adapter)
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = FLAN
    (adapter / "adapter_config.json").write_text(json.dumps(config, indent=2))

    dialogsum = dest / "hub" / "datasets" / DIALOGSUM
    dialogsum.mkdir(parents=True, exist_ok=True)
    for split in ("train", "validation", "test"):
        shutil.copyfile(data_dir / "dialogsum" / f"{split}.csv", dialogsum / f"{split}.csv")
    # a repository the profile pins to a commit is served at that commit, so the pinned fetch finds it
    pinned = {FLAN: load_profile("full").policy["revision"]}
    (dest / "hub" / "commits.json").write_text(json.dumps({k: v for k, v in pinned.items() if v}, indent=2))
    done.write_text("stand-ins for the image build: random weights of the real shapes; not trained\n")
    print(f"standin-servers: made {dest}")


# ---------------------------------------------------------------------------------------------------------
# The hub


class Repo:
    """One repository on disk: its files, their hashes and one commit naming them all."""

    def __init__(self, root: Path, repo_id: str, commit: str | None = None):
        self.id = repo_id
        self.files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
        self.facts = {name: self._facts(path) for name, path in self.files.items()}
        listing = "".join(f"{name} {facts['oid']}\n" for name, facts in self.facts.items())
        self.commit = commit or hashlib.sha1(f"{repo_id}\n{listing}".encode()).hexdigest()

    @staticmethod
    def _facts(path: Path) -> dict:
        data = path.read_bytes()
        git = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        facts = {"size": len(data), "oid": git}
        if path.suffix in LFS_SUFFIXES:
            facts["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
        return facts

    def info(self) -> dict:
        return {"id": self.id, "modelId": self.id, "sha": self.commit, "private": False, "disabled": False,
                "gated": False, "downloads": 0, "likes": 0, "tags": [], "cardData": {},
                "lastModified": "2024-01-01T00:00:00.000Z",
                "siblings": [{"rfilename": name, "size": f["size"], "blobId": f["oid"], **({"lfs": {"sha256": f["lfs"]["oid"], "size": f["size"], "pointerSize": 134}} if "lfs" in f else {})}
                             for name, f in self.facts.items()]}

    def entries(self, prefix: str, recursive: bool) -> list[dict]:
        prefix = prefix.strip("/")
        out, seen = [], set()
        for name, facts in self.facts.items():
            if prefix and not name.startswith(prefix + "/"):
                continue
            rest = name[len(prefix) + 1:] if prefix else name
            if "/" in rest and not recursive:
                directory = (prefix + "/" if prefix else "") + rest.split("/")[0]
                if directory not in seen:
                    seen.add(directory)
                    out.append({"type": "directory", "path": directory, "oid": "0" * 40})
                continue
            out.append(self.entry(name))
        return out

    def entry(self, name: str) -> dict:
        facts = self.facts[name]
        return {"type": "file", "path": name, "size": facts["size"], "oid": facts["oid"],
                **({"lfs": facts["lfs"]} if "lfs" in facts else {})}


class Hub(BaseHTTPRequestHandler):
    repos: dict[tuple[str, str], Repo] = {}     # ("model" | "dataset", id) -> Repo
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):       # quiet unless asked: one line per request on stderr
        if os.environ.get("STANDIN_SERVERS_VERBOSE"):
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None, error: str | None = None):
        self.send_response(status)
        headers = dict(headers or {})
        if error:
            headers["X-Error-Code"] = error
            headers["X-Error-Message"] = error
            body = json.dumps({"error": error}).encode()
            headers.setdefault("Content-Type", "application/json")
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value) -> None:
        self._send(200, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def _repo(self, kind: str, repo_id: str, revision: str | None) -> Repo | None:
        repo = self.repos.get((kind, repo_id))
        if repo is None:
            self._send(404, error="RepoNotFound")
            return None
        if revision not in (None, "main", repo.commit):
            self._send(404, error="RevisionNotFound")
            return None
        return repo

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        api = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)(?:/(revision|tree)/([^/]+)(/.*)?)?/?", path)
        if api:
            kind, repo_id, what, revision, rest = api.groups()
            repo = self._repo(kind[:-1], repo_id, revision)
            if repo is None:
                return
            if what == "tree":
                recursive = query.get("recursive", ["false"])[0].lower() in ("1", "true")
                return self._json(repo.entries(rest or "", recursive))
            return self._json(repo.info())
        resolve = re.fullmatch(r"/(datasets/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if resolve:
            kind = "dataset" if resolve.group(1) else "model"
            repo = self._repo(kind, resolve.group(2), resolve.group(3))
            if repo is None:
                return
            name = resolve.group(4)
            if name not in repo.files:
                return self._send(404, headers={"X-Repo-Commit": repo.commit}, error="EntryNotFound")
            return self._file(repo, name)
        self._send(404, error="NotFound")

    def do_POST(self):
        match = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)/paths-info/([^/]+)", unquote(urlparse(self.path).path))
        if not match:
            return self._send(404, error="NotFound")
        repo = self._repo(match.group(1)[:-1], match.group(2), match.group(3))
        if repo is None:
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        paths = parse_qs(body).get("paths", [])
        if self.headers.get("Content-Type", "").startswith("application/json"):
            paths = json.loads(body or "{}").get("paths", [])
        found = []
        for asked in paths:
            asked = asked.strip("/")
            if asked in repo.facts:
                found.append(repo.entry(asked))
            elif any(name.startswith(asked + "/") for name in repo.facts):
                found.append({"type": "directory", "path": asked, "oid": "0" * 40})
        self._json(found)

    def _file(self, repo: Repo, name: str) -> None:
        facts, path = repo.facts[name], repo.files[name]
        size = facts["size"]
        headers = {"X-Repo-Commit": repo.commit, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        if "lfs" in facts:
            headers.update({"X-Linked-Etag": f'"{facts["lfs"]["oid"]}"', "X-Linked-Size": str(size),
                            "ETag": f'"{facts["lfs"]["oid"]}"'})
        else:
            headers["ETag"] = f'"{facts["oid"]}"'
        start, end, status = 0, size - 1, 200
        ranged = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if ranged and self.command == "GET":
            start = int(ranged.group(1))
            end = min(int(ranged.group(2)), size - 1) if ranged.group(2) else size - 1
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(max(end - start + 1, 0))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        with open(path, "rb") as handle:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = handle.read(min(left, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)


def load_repos(hub_dir: Path) -> dict:
    repos = {}
    commits = json.loads((hub_dir / "commits.json").read_text()) if (hub_dir / "commits.json").exists() else {}
    for kind in ("models", "datasets"):
        for owner in sorted((hub_dir / kind).glob("*")):
            for repo in sorted(owner.iterdir()):
                repo_id = f"{owner.name}/{repo.name}"
                repos[(kind[:-1], repo_id)] = Repo(repo, repo_id, commits.get(repo_id))
    return repos


# ---------------------------------------------------------------------------------------------------------
# S3


def start_s3(adapter: Path, uri: str, port: int):
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    # uploads are signed (moto's test keys); downloads are anonymous, as from the course's public bucket
    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket=bucket, ACL="public-read")
    for path in sorted(adapter.iterdir()):
        client.put_object(Bucket=bucket, Key=prefix + path.name, Body=path.read_bytes(), ACL="public-read")
    return server


def serve(source: Path, hub_port: int, s3_port: int) -> None:
    from detoxlab.profiles import load_profile

    if not (source / "MADE").exists():
        sys.exit(f"standin-servers: {source} is not made; run: standin_servers.py make {source}")
    Hub.repos = load_repos(source / "hub")
    hub = ThreadingHTTPServer(("127.0.0.1", hub_port), Hub)
    s3 = start_s3(source / "s3" / "adapter", load_profile("full").policy["adapter_s3_uri"], s3_port)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    print(f"standin-servers: hub http://127.0.0.1:{hub.server_port} ({len(Hub.repos)} repositories), "
          f"S3 http://127.0.0.1:{s3_port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.shutdown()
        s3.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make", help="write the stand-ins to serve")
    made.add_argument("dest", type=Path)
    made.add_argument("--data-dir", type=Path, default=os.environ.get("DETOXLAB_DATA_DIR", "../shared/data"))
    served = commands.add_parser("serve", help="serve them until killed")
    served.add_argument("source", type=Path)
    served.add_argument("--hub-port", type=int, default=8765)
    served.add_argument("--s3-port", type=int, default=8766)
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.dest, Path(args.data_dir))
    else:
        serve(args.source, args.hub_port, args.s3_port)


if __name__ == "__main__":
    main()
