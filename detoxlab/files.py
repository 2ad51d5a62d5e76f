"""Writing and checking files safely: atomic writes, file hashes, and replacing a directory in one step.

Every module that writes a result, a manifest or a cache entry goes through here, so a reader never sees
half a file and a hash is computed one way everywhere.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

PRIVATE = 0o600   # what a temporary file is created with: results and outputs stay the writer's own
SHARED = 0o644    # manifests and caches other processes (and users) read


def write_text_atomically(path: Path, text: str, mode: int = PRIVATE, newline: str | None = None) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``: readers see the
    old file or the new one, never half of one. ``newline`` as for :func:`open` ("" for CSV)."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False,
                                         encoding="utf-8", newline=newline)
    try:
        with handle:
            handle.write(text)
        if mode != PRIVATE:
            os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path


def private_write(path: Path, text: str) -> None:
    """Create (or truncate) a file only its writer's user can read; a symbolic link at ``path`` is refused."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _json_default(value):
    """What json cannot write by itself: mappings (a profile's sections) as objects, numbers (numpy's) as floats."""
    return dict(value) if isinstance(value, Mapping) else float(value)


def write_json_atomically(path: Path, payload, mode: int = PRIVATE, sort_keys: bool = False) -> Path:
    """``payload`` as indented JSON with a final newline, written atomically (numpy numbers as floats, a
    profile's sections as objects)."""
    return write_text_atomically(path, json.dumps(payload, indent=2, default=_json_default, sort_keys=sort_keys)
                                 + "\n", mode)


def file_hash(path: Path, algorithm="sha256") -> str:
    """Hex digest of a file's bytes, read in blocks. ``algorithm``: a hashlib name, or a callable that
    returns a fresh hash object (for a digest that starts with a header, or MD5 outside security use)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def sha256(path: Path) -> str:
    return file_hash(path, "sha256")


def replace_dir(new: Path, dest: Path) -> None:
    """Put directory ``new`` at ``dest`` with two renames, so ``dest`` is never half-written."""
    old = dest.with_name(dest.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old, ignore_errors=True)
