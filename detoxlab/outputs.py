"""Output directories: created and proven writable before any expensive work starts."""
from __future__ import annotations

import tempfile
from pathlib import Path


class OutputDirError(Exception):
    """An output directory that cannot be created or written to."""


def writable_dir(out) -> Path:
    """Create ``out`` if needed and write a throwaway file in it, so a read-only or full location fails
    now with one line, not after minutes of training with nowhere to put the results."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-").close()
    except OSError as error:
        raise OutputDirError(f"cannot write to output directory {out}: {error.strerror or error}") from None
    return out
