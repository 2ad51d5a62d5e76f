"""`detoxlab assets fetch` against local stand-ins: an S3-compatible server (moto's) on 127.0.0.1, a Hugging
Face hub cache read with HF_HUB_OFFLINE=1, and a prepared datasets cache. Failure cases included: a missing
object, a download cut off mid-file (then resumed), hashes that do not match."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from asset_layout import full_layout, put_dialogsum_in_datasets_cache, put_in_hub_cache, reward_model_source
from detoxlab import cli, fetch
from detoxlab.assets import STAND_INS, AssetError, verify
from detoxlab.profiles import PROFILE_DIR, load_profile

BUCKET = "course-models"
PREFIX = "models/peft-dialogue-summary-checkpoint/"
URI = f"s3://{BUCKET}/{PREFIX}"
ADAPTER = "peft-dialogue-summary-checkpoint"


def fake_adapter() -> dict[str, bytes]:
    """Laid out like the real lab-2 checkpoint: the config, the weights, tokenizer files beside them."""
    weights = hashlib.sha256(b"seed").digest() * (600_000 // 32)  # 600 kB, deterministic
    return {"adapter_config.json": (STAND_INS / "policy-adapter" / "adapter_config.json").read_bytes(),
            "adapter_model.bin": weights,
            "special_tokens_map.json": b'{"eos_token": "</s>"}'}


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, monkeypatch):
    """A fresh bucket holding the fake adapter; returns (endpoint, client, objects)."""
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")):
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET, ACL="public-read")  # the course bucket is public
    objects = fake_adapter()
    for name, body in objects.items():
        client.put_object(Bucket=BUCKET, Key=PREFIX + name, Body=body, ACL="public-read")
    client.put_object(Bucket=BUCKET, Key="models/other/adapter_model.bin", Body=b"not ours")
    yield s3_server, client, objects
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def adapter_asset(required=("adapter_config.json", "adapter_model.bin")):
    return fetch.S3Asset(ADAPTER, URI, tuple(required))


def test_s3_download_verifies_and_records(bucket, tmp_path):
    endpoint, _, objects = bucket
    files = fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", {}, endpoint, log=lambda _: None)
    target = tmp_path / "full" / ADAPTER
    assert {p.name for p in target.iterdir()} == set(objects)
    for name, body in objects.items():
        assert (target / name).read_bytes() == body
        assert files[f"{ADAPTER}/{name}"]["sha256"] == hashlib.sha256(body).hexdigest()
        assert files[f"{ADAPTER}/{name}"]["bytes"] == len(body)
    assert not list((tmp_path / "full").glob(".fetch-*")), "the staging directory is renamed into place"


def test_s3_missing_object_names_it_and_leaves_nothing(bucket, tmp_path):
    endpoint, client, _ = bucket
    client.delete_object(Bucket=BUCKET, Key=PREFIX + "adapter_model.bin")
    with pytest.raises(AssetError, match="missing on the server: adapter_model.bin"):
        fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", {}, endpoint, log=lambda _: None)
    assert not (tmp_path / "full" / ADAPTER).exists()


def test_s3_wrong_hash_is_refused(bucket, tmp_path):
    endpoint, _, _ = bucket
    known = {f"{ADAPTER}/adapter_model.bin": {"sha256": "0" * 64}}
    with pytest.raises(AssetError, match="adapter_model.bin: sha256 .* differs from the profile's manifest"):
        fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", known, endpoint, log=lambda _: None)
    assert not (tmp_path / "full" / ADAPTER).exists()
    wrong_size = {f"{ADAPTER}/adapter_model.bin": {"bytes": 14_000_000}}
    with pytest.raises(AssetError, match="bytes, the profile's manifest says 14000000"):
        fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", wrong_size, endpoint, log=lambda _: None)
    assert not (tmp_path / "full" / ADAPTER).exists()


class CuttingProxy:
    """A TCP proxy to the S3 server that closes each connection after ``budget`` response bytes: a
    download cut off mid-file, as a dropped network would."""

    def __init__(self, upstream: str, budget: int):
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream, self.budget = (host, int(port)), budget
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.budget), daemon=True).start()

    @staticmethod
    def _pipe(source, sink, budget):
        sent = 0
        try:
            while budget is None or sent < budget:
                block = source.recv(65536 if budget is None else min(65536, budget - sent))
                if not block:
                    break
                sink.sendall(block)
                sent += len(block)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self):
        self.listener.close()


def test_s3_cut_off_download_leaves_no_asset_then_resumes(bucket, tmp_path):
    endpoint, _, objects = bucket
    proxy = CuttingProxy(endpoint, budget=150_000)
    try:
        with pytest.raises(AssetError, match="adapter_model.bin: download interrupted at .* run the same command again"):
            fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", {}, proxy.url, log=lambda _: None)
    finally:
        proxy.close()
    assert not (tmp_path / "full" / ADAPTER).exists(), "no half-written asset where the lab would load it"
    part = tmp_path / "full" / f".fetch-{ADAPTER}" / "adapter_model.bin.part"
    kept = part.stat().st_size
    assert 0 < kept < len(objects["adapter_model.bin"])

    messages = []
    fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", {}, endpoint, log=messages.append)
    assert any(f"resuming at {kept:,} of" in m for m in messages), messages
    assert (tmp_path / "full" / ADAPTER / "adapter_model.bin").read_bytes() == objects["adapter_model.bin"]


def test_s3_partial_file_of_a_replaced_object_starts_over(bucket, tmp_path):
    endpoint, client, objects = bucket
    staging = tmp_path / "full" / f".fetch-{ADAPTER}"
    staging.mkdir(parents=True)
    (staging / "adapter_model.bin.part").write_bytes(b"x" * 1000)
    (staging / "adapter_model.bin.part.etag").write_text("an-older-object")
    fetch.fetch_s3_asset(adapter_asset(), tmp_path / "full", {}, endpoint, log=lambda _: None)
    assert (tmp_path / "full" / ADAPTER / "adapter_model.bin").read_bytes() == objects["adapter_model.bin"]


# --- the hub: a local cache directory, HF_HUB_OFFLINE=1 (set by conftest) ---------------------------------

def hub_model(repo_id="google/flan-t5-base", revision="7bcac572ce56db69c1ea7c8af255c5d7c9672fc2"):
    profile = load_profile("full")
    return next(m for m in fetch.plan(profile).hub if m.repo_id == repo_id), revision


def test_hub_offline_cache_is_verified_and_recorded(tmp_path):
    model, revision = hub_model()
    put_in_hub_cache(tmp_path, model.repo_id, revision, STAND_INS / "policy-base")
    record = fetch.fetch_hub_model(model, tmp_path, {}, log=lambda _: None)
    assert record["commit"] == revision
    assert set(record["files"]) == set(model.files), "files outside the profile's list are not recorded"
    weights = STAND_INS / "policy-base" / "pytorch_model.bin"
    assert record["files"]["pytorch_model.bin"] == {"bytes": weights.stat().st_size, "sha256": fetch.sha256(weights)}


def test_hub_branch_revision_records_the_commit(tmp_path):
    model, _ = hub_model("facebook/roberta-hate-speech-dynabench-r4-target")
    snapshot = put_in_hub_cache(tmp_path, model.repo_id, model.revision, reward_model_source(tmp_path / "reward-model"))
    record = fetch.fetch_hub_model(model, tmp_path, {}, log=lambda _: None)
    assert record["revision"] == model.revision and record["commit"] == snapshot.name != model.revision


def test_hub_revision_not_cached_offline(tmp_path):
    model, revision = hub_model()
    put_in_hub_cache(tmp_path, model.repo_id, "f" * 40, STAND_INS / "policy-base")
    with pytest.raises(AssetError, match=f"google/flan-t5-base@{revision}: not in the hub cache"):
        fetch.fetch_hub_model(model, tmp_path, {}, log=lambda _: None)


def test_hub_missing_required_file(tmp_path):
    model, revision = hub_model()
    snapshot = put_in_hub_cache(tmp_path, model.repo_id, revision, STAND_INS / "policy-base")
    (snapshot / "pytorch_model.bin").unlink()
    with pytest.raises(AssetError, match="pytorch_model.bin missing from"):
        fetch.fetch_hub_model(model, tmp_path, {}, log=lambda _: None)


def test_hub_corrupt_blob_and_wrong_known_hash(tmp_path):
    model, revision = hub_model()
    snapshot = put_in_hub_cache(tmp_path, model.repo_id, revision, STAND_INS / "policy-base")
    known = {f"{model.repo_id}/spiece.model": {"sha256": "1" * 64}}
    with pytest.raises(AssetError, match="spiece.model: sha256 .* differs from the profile's manifest"):
        fetch.fetch_hub_model(model, tmp_path, known, log=lambda _: None)
    with (snapshot / "config.json").resolve().open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(AssetError, match="config.json: sha256 .* differs from the hub's .* corrupt cache file"):
        fetch.fetch_hub_model(model, tmp_path, {}, log=lambda _: None)


# --- DialogSum in the datasets cache (HF_DATASETS_OFFLINE=1) ----------------------------------------------

def test_dataset_rows_are_checked(tmp_path):
    put_dialogsum_in_datasets_cache(tmp_path)
    record = fetch.fetch_dataset("knkarthick/dialogsum", tmp_path, {"train": 126, "test": 30}, log=lambda _: None)
    assert record == {"rows": {"train": 126, "validation": 15, "test": 30}}
    with pytest.raises(AssetError, match="train has 126 rows, the profile's manifest says 12460"):
        fetch.fetch_dataset("knkarthick/dialogsum", tmp_path, {"train": 12460}, log=lambda _: None)
    with pytest.raises(AssetError, match="not in the datasets cache"):
        fetch.fetch_dataset("knkarthick/dialogsum", tmp_path / "empty", {}, log=lambda _: None)


# --- the command, end to end --------------------------------------------------------------------------------

def full_profile_for_tests(tmp_path: Path) -> Path:
    """full.toml with the embedded sample's row counts (the real ones are DialogSum's)."""
    text = (PROFILE_DIR / "full.toml").read_text()
    text = text.replace("train = 12460\nvalidation = 500\ntest = 1500", "train = 126\nvalidation = 15\ntest = 30")
    assert "train = 126" in text
    path = tmp_path / "full.toml"
    path.write_text(text)
    return path


def test_fetch_command_end_to_end_then_kept(bucket, tmp_path, capsys):
    endpoint, _, objects = bucket
    profile_path = full_profile_for_tests(tmp_path)
    profile = load_profile(profile_path)
    root = tmp_path / "assets"
    full_layout(root, profile)
    shutil.rmtree(root / "full" / ADAPTER)  # the adapter comes from S3
    overridden = tmp_path / "full-s3.toml"
    overridden.write_text(profile_path.read_text().replace(
        "s3://dlai-generative-ai/models/peft-dialogue-summary-checkpoint/", URI))
    argv = ["assets", "fetch", "--profile", str(overridden), "--dest", str(root), "--endpoint-url", endpoint]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"HF_HOME={root.resolve() / 'huggingface'}" in out
    manifest = json.loads((root / "full" / "MANIFEST.json").read_text())
    assert set(manifest["hub"]) == {"google/flan-t5-base", "facebook/roberta-hate-speech-dynabench-r4-target"}
    assert manifest["data"]["knkarthick/dialogsum"]["rows"]["train"] == 126
    assert {k for k in manifest["files"]} == {f"{ADAPTER}/{n}" for n in objects}
    assert verify(root / "full", load=False) == [], "the manifest is the one `detoxlab assets verify` reads"

    assert cli.main(argv) == 0  # a second run keeps the verified adapter
    assert "is complete and matches MANIFEST.json; kept" in capsys.readouterr().out

    (root / "full" / ADAPTER / "adapter_model.bin").write_bytes(b"tampered")
    assert cli.main(argv) == 0  # ... and replaces a damaged one
    assert (root / "full" / ADAPTER / "adapter_model.bin").read_bytes() == objects["adapter_model.bin"]


def test_fetch_command_failure_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DETOXLAB_ASSETS_DIR", raising=False)
    status = cli.main(["assets", "fetch", "--profile", "full", "--dest", str(tmp_path), "--endpoint-url",
                       "http://127.0.0.1:9"])  # nothing listens on the discard port
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("detoxlab: error: cannot list s3://dlai-generative-ai/") and err.count("\n") == 1
    assert not (tmp_path / "full" / ADAPTER).exists()


def test_profile_without_assets_table_is_an_error(tmp_path):
    text = (PROFILE_DIR / "full.toml").read_text().split("[assets.hub.")[0]
    (tmp_path / "bare.toml").write_text(text)
    with pytest.raises(Exception, match=r'missing \[assets.hub."google/flan-t5-base"\]'):
        fetch.plan(load_profile(tmp_path / "bare.toml"))


def test_environment_names_the_baked_locations(tmp_path):
    env = fetch.environment(tmp_path)
    assert env["DETOXLAB_ASSETS_DIR"] == str(tmp_path) and env["HF_HOME"] == str(tmp_path / "huggingface")
    assert all(env[v] == "1" for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"))
    assert os.fspath(fetch.hub_cache(tmp_path)) == str(tmp_path / "huggingface" / "hub")
