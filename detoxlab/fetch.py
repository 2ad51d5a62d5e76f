"""`detoxlab assets fetch`: download a profile's models, adapter and data once, verified, for offline use.

What a profile needs is read from its own keys: hub models (``policy.base_model``, ``reward.model`` at
``policy.revision``, ``reward.revision``), an ``assets:NAME`` adapter with ``policy.adapter_s3_uri``, and
DialogSum when ``data.source`` is ``hub``. The profile's optional ``[assets]`` table says which hub files
to take and what is known about each file (sizes, sha256) and about the data (rows per split).

Layout under an assets root ``ROOT`` (``--dest``, else ``DETOXLAB_ASSETS_DIR``, else the default)::

    ROOT/<profile>/<NAME>/          the profile's assets:NAME directories (the lab-2 adapter, from S3)
    ROOT/<profile>/MANIFEST.json    what was fetched: each file's size and sha256, hub commits, data rows
    ROOT/huggingface/hub/           Hugging Face hub cache: the models at their pinned revisions
    ROOT/huggingface/datasets/      datasets cache: DialogSum

Load from it with ``DETOXLAB_ASSETS_DIR=ROOT HF_HOME=ROOT/huggingface`` and the three offline variables
(the image sets all of them). Every file is checked against what is known: the profile's sizes and
hashes where given, else what the server vouches for (S3's Content-Length and MD5 ETag, the hub's blob
names, which are the files' sha256 or git hashes). S3 downloads go to ``.part`` files in a staging
directory and resume with a ranged request after an interruption; an asset directory appears, by a
rename, only when all its files are complete and verified.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from detoxlab.assets import MANIFEST, AssetError
from detoxlab.files import SHARED, file_hash, replace_dir, sha256, write_json_atomically
from detoxlab.profiles import ASSETS_DIR_ENV, DEFAULT_ASSETS_DIR, ProfileError

CHUNK = 1 << 20


# ---------------------------------------------------------------------------------------------------------
# What a profile asks for


@dataclass(frozen=True)
class HubModel:
    key: str                 # the profile key that names it (policy.base_model, reward.model)
    repo_id: str
    revision: str
    files: tuple[str, ...]    # file names to download where the repo has them
    required: tuple[str, ...]  # file names that must be there


@dataclass(frozen=True)
class S3Asset:
    name: str                # the directory under ROOT/<profile>/
    uri: str                 # s3://bucket/prefix/
    required: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    profile: str
    hub: tuple[HubModel, ...]
    s3: tuple[S3Asset, ...]
    data: str | None                                     # DialogSum's hub id, when the profile reads the hub
    data_rows: dict = field(default_factory=dict)        # split -> expected rows
    known: dict = field(default_factory=dict)            # "asset/file" -> {"bytes": ..., "sha256": ...}


def plan(profile) -> Plan:
    """What ``profile`` needs fetched, with the expectations of its ``[assets]`` table (``profile.assets``,
    checked when the profile was read)."""
    source, assets = Path(profile.path).name, profile.assets
    hub = []
    for key, section in (("policy.base_model", "policy"), ("reward.model", "reward")):
        value = getattr(profile, section)[key.split(".")[1]]
        if value.startswith(("assets:", "package:")):
            continue
        files = assets.hub.get(value)
        if files is None:
            raise ProfileError(f"missing [assets.hub.\"{value}\"]", key=f"assets.hub.{value}", path=source,
                               hint=f"files and required files of {key}")
        revision = getattr(profile, section).revision or "main"
        hub.append(HubModel(key, value, revision, tuple(files.files), tuple(files.required)))
    s3 = []
    adapter = profile.policy.adapter
    if adapter.startswith("assets:"):
        uri = profile.policy.adapter_s3_uri
        if not uri:
            raise ProfileError(f"policy.adapter is {adapter!r} but policy.adapter_s3_uri is not set",
                               key="policy.adapter_s3_uri", path=source)
        if not uri.startswith("s3://") or not urlparse(uri).netloc:
            raise ProfileError(f"policy.adapter_s3_uri must look like s3://bucket/prefix/, got {uri!r}",
                               key="policy.adapter_s3_uri", path=source)
        s3.append(S3Asset(adapter[len("assets:"):], uri, tuple(assets.adapter.get("required", []))))
    data = profile.data.hub_id if profile.data.source == "hub" else None
    return Plan(profile.name, tuple(hub), tuple(s3), data, dict(assets.data.get("rows", {})), dict(assets.known))


def assets_root(dest: str | os.PathLike | None = None) -> Path:
    return Path(dest or os.environ.get(ASSETS_DIR_ENV) or DEFAULT_ASSETS_DIR).expanduser()


def hub_cache(root: Path) -> Path:
    return root / "huggingface" / "hub"


def datasets_cache(root: Path) -> Path:
    return root / "huggingface" / "datasets"


def environment(root: Path) -> dict[str, str]:
    """The variables under which the lab loads everything from ``root`` without the network."""
    return {ASSETS_DIR_ENV: str(root), "HF_HOME": str(root / "huggingface"), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


# ---------------------------------------------------------------------------------------------------------
# Manifest of what was fetched


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}


def _write_manifest(path: Path, manifest: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, manifest, mode=SHARED, sort_keys=True)


def _check_known(label: str, path: Path, known: dict | None, digest: str | None = None) -> str:
    """Compare a file with what the profile knows of it; returns its sha256."""
    digest = digest or sha256(path)
    if known:
        if "bytes" in known and path.stat().st_size != known["bytes"]:
            raise AssetError(f"{label}: {path.stat().st_size} bytes, the profile's manifest says {known['bytes']}")
        if "sha256" in known and digest != known["sha256"]:
            raise AssetError(f"{label}: sha256 {digest} differs from the profile's manifest ({known['sha256']})")
    return digest


# ---------------------------------------------------------------------------------------------------------
# S3: the lab-2 adapter


def _s3_client(endpoint_url: str | None):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(signature_version=UNSIGNED, connect_timeout=15, read_timeout=60,
                    retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client("s3", endpoint_url=endpoint_url, config=config,
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


def _split_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    prefix = parsed.path.lstrip("/")
    return parsed.netloc, prefix if not prefix or prefix.endswith("/") else prefix + "/"


def _list_objects(client, bucket: str, prefix: str, uri: str) -> dict[str, dict]:
    from botocore.exceptions import BotoCoreError, ClientError

    objects = {}
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if name and not name.endswith("/"):
                    objects[name] = {"bytes": item["Size"], "etag": item["ETag"].strip('"')}
    except (BotoCoreError, ClientError) as error:
        raise AssetError(f"cannot list {uri}: {error}") from error
    return objects


def _download_object(client, bucket: str, key: str, facts: dict, part: Path, log) -> None:
    """Download one object into ``part``, resuming from what an earlier attempt left there."""
    from botocore.exceptions import BotoCoreError, ClientError

    state_path = part.with_name(part.name + ".etag")
    start = part.stat().st_size if part.is_file() else 0
    if start and (not state_path.is_file() or state_path.read_text() != facts["etag"] or start > facts["bytes"]):
        part.unlink()  # a different object, or more bytes than it has: start again
        start = 0
    state_path.write_text(facts["etag"])
    if start == facts["bytes"]:
        return
    request = {"Bucket": bucket, "Key": key, "IfMatch": f'"{facts["etag"]}"'}
    if start:
        request["Range"] = f"bytes={start}-"
        log(f"fetch: s3://{bucket}/{key}: resuming at {start:,} of {facts['bytes']:,} bytes")
    try:
        body = client.get_object(**request)["Body"]
        with part.open("ab") as handle:
            for block in iter(lambda: body.read(CHUNK), b""):
                handle.write(block)
    except (BotoCoreError, ClientError, OSError) as error:
        got = part.stat().st_size if part.is_file() else 0
        raise AssetError(f"s3://{bucket}/{key}: download interrupted at {got:,} of {facts['bytes']:,} bytes "
                         f"({type(error).__name__}: {error}); run the same command again to resume") from error


def fetch_s3_asset(asset: S3Asset, profile_dir: Path, known: dict, endpoint_url: str | None = None,
                   log=print) -> dict:
    """Download an S3 prefix into ``profile_dir/asset.name``; returns its manifest entries."""
    bucket, prefix = _split_uri(asset.uri)
    client = _s3_client(endpoint_url)
    objects = _list_objects(client, bucket, prefix, asset.uri)
    missing = [name for name in asset.required if name not in objects]
    if missing:
        raise AssetError(f"{asset.uri}: missing on the server: {', '.join(missing)} "
                         f"(found: {', '.join(sorted(objects)) or 'nothing'})")
    staging = profile_dir / f".fetch-{asset.name}"
    staging.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, facts in sorted(objects.items()):
        label = f"{asset.uri}{name}"
        part = staging / (name + ".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        _download_object(client, bucket, prefix + name, facts, part, log)
        size = part.stat().st_size
        if size != facts["bytes"]:
            raise AssetError(f"{label}: got {size:,} bytes, the server says {facts['bytes']:,} (truncated); "
                             "run the same command again to resume")
        etag = facts["etag"]
        if len(etag) == 32 and "-" not in etag:  # a single-part upload's ETag is the MD5 of its bytes
            md5 = file_hash(part, lambda: hashlib.md5(usedforsecurity=False))
            if md5 != etag:
                part.unlink()
                raise AssetError(f"{label}: MD5 {md5} differs from the server's ETag {etag} "
                                 "(corrupt transfer); the partial file was removed, run the command again")
        try:
            digest = _check_known(label, part, known.get(f"{asset.name}/{name}"))
        except AssetError:
            part.unlink()
            raise
        files[f"{asset.name}/{name}"] = {"bytes": size, "sha256": digest, "etag": etag}
    for name in objects:
        os.replace(staging / (name + ".part"), staging / name)
        (staging / (name + ".part.etag")).unlink(missing_ok=True)
    replace_dir(staging, profile_dir / asset.name)
    log(f"fetch: {asset.uri} -> {profile_dir / asset.name} ({len(files)} files, "
        f"{sum(f['bytes'] for f in files.values()):,} bytes)")
    return files


def _in_place(profile_dir: Path, name: str, manifest: dict) -> bool:
    """Is asset ``name`` already there, every file as the manifest recorded it?"""
    entries = {k: v for k, v in manifest.get("files", {}).items() if k.split("/", 1)[0] == name}
    directory = profile_dir / name
    if not entries or not directory.is_dir():
        return False
    on_disk = {str(p.relative_to(profile_dir)) for p in directory.rglob("*") if p.is_file()}
    return on_disk == set(entries) and all(
        (profile_dir / k).stat().st_size == v["bytes"] and sha256(profile_dir / k) == v["sha256"]
        for k, v in entries.items())


# ---------------------------------------------------------------------------------------------------------
# Hugging Face hub: the models at their pinned revisions


def _git_blob_sha1(path: Path) -> str:
    header = f"blob {path.stat().st_size}\0".encode()
    return file_hash(path, lambda: hashlib.sha1(header, usedforsecurity=False))


def fetch_hub_model(model: HubModel, cache_dir: Path, known: dict, endpoint: str | None = None, log=print) -> dict:
    """Download (or find in the cache, offline) ``model`` at its revision; verify every file."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import HfHubHTTPError, LocalEntryNotFoundError

    try:
        snapshot = Path(snapshot_download(model.repo_id, revision=model.revision, cache_dir=str(cache_dir),
                                          allow_patterns=list(model.files), endpoint=endpoint))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as error:
        raise AssetError(f"{model.key} {model.repo_id}@{model.revision}: not in the hub cache {cache_dir} and not "
                         f"downloadable ({type(error).__name__}: {error})") from error
    missing = [name for name in model.required if not (snapshot / name).is_file()]
    if missing:
        raise AssetError(f"{model.repo_id}@{model.revision}: {', '.join(missing)} missing from {snapshot}")
    files = {}
    for path in sorted(p for p in snapshot.iterdir() if p.name in model.files):
        blob = path.resolve()
        label = f"{model.repo_id}@{model.revision}/{path.name}"
        digest = sha256(blob)
        # the cache names each blob by the hub's hash of it: sha256 for LFS files, the git blob sha1 otherwise
        if len(blob.name) == 64 and digest != blob.name:
            raise AssetError(f"{label}: sha256 {digest} differs from the hub's ({blob.name}): corrupt cache file {blob}")
        if len(blob.name) == 40 and _git_blob_sha1(blob) != blob.name:
            raise AssetError(f"{label}: git hash differs from the hub's ({blob.name}): corrupt cache file {blob}")
        _check_known(label, blob, known.get(f"{model.repo_id}/{path.name}"), digest)
        files[path.name] = {"bytes": blob.stat().st_size, "sha256": digest}
    log(f"fetch: {model.repo_id}@{model.revision} (commit {snapshot.name}) in {cache_dir}: "
        f"{len(files)} files, {sum(f['bytes'] for f in files.values()):,} bytes")
    return {"revision": model.revision, "commit": snapshot.name, "files": files}


# ---------------------------------------------------------------------------------------------------------
# DialogSum: the datasets cache


def fetch_dataset(hub_id: str, cache_dir: Path, expected_rows: dict, log=print) -> dict:
    import datasets

    try:
        loaded = datasets.load_dataset(hub_id, cache_dir=str(cache_dir))
    except Exception as error:  # offline without a cache, an unreachable hub, a wrong id
        raise AssetError(f"{hub_id}: not in the datasets cache {cache_dir} and not downloadable "
                         f"({type(error).__name__}: {error})") from error
    rows = {split: len(part) for split, part in loaded.items()}
    wrong = {s: (rows.get(s), n) for s, n in expected_rows.items() if rows.get(s) != n}
    if wrong:
        raise AssetError(f"{hub_id}: " + "; ".join(f"{s} has {got} rows, the profile's manifest says {n}"
                                                   for s, (got, n) in wrong.items()))
    log(f"fetch: {hub_id} in {cache_dir}: " + ", ".join(f"{s} {n:,} rows" for s, n in rows.items()))
    return {"rows": rows}


# ---------------------------------------------------------------------------------------------------------
# The command


def fetch(profile, dest: str | os.PathLike | None = None, endpoint_url: str | None = None,
          hub_endpoint: str | None = None, log=print) -> dict:
    """Fetch everything ``profile`` needs into an assets root; returns the manifest written there.

    Each asset is recorded in ``ROOT/<profile>/MANIFEST.json`` as soon as it is complete, so a run that
    stops part-way keeps what it finished and the next run resumes with the rest.
    """
    wanted = plan(profile)
    root = assets_root(dest).resolve()
    profile_dir = root / profile.name
    manifest_path = profile_dir / MANIFEST
    manifest = _read_manifest(manifest_path)
    manifest.setdefault("files", {})
    manifest.update({"command": "detoxlab assets fetch", "profile": profile.name})
    started = time.time()
    for asset in wanted.s3:
        if _in_place(profile_dir, asset.name, manifest):
            log(f"fetch: {profile_dir / asset.name} is complete and matches {MANIFEST}; kept")
            continue
        files = fetch_s3_asset(asset, profile_dir, wanted.known, endpoint_url, log)
        manifest["files"] = {k: v for k, v in manifest["files"].items() if k.split("/", 1)[0] != asset.name} | {
            k: {"bytes": v["bytes"], "sha256": v["sha256"]} for k, v in files.items()}
        manifest.setdefault("sources", {})[asset.name] = {
            "s3": asset.uri, "etags": {k.split("/", 1)[1]: v["etag"] for k, v in files.items()}}
        _write_manifest(manifest_path, manifest)
    for model in wanted.hub:
        manifest.setdefault("hub", {})[model.repo_id] = fetch_hub_model(model, hub_cache(root), wanted.known,
                                                                        hub_endpoint, log)
        _write_manifest(manifest_path, manifest)
    if wanted.data:
        manifest.setdefault("data", {})[wanted.data] = fetch_dataset(wanted.data, datasets_cache(root),
                                                                     wanted.data_rows, log)
    manifest["fetch_seconds"] = round(time.time() - started)
    _write_manifest(manifest_path, manifest)
    log("fetch: done. Use the assets offline with: export " +
        " ".join(f"{k}={v}" for k, v in environment(root).items()))
    return manifest
