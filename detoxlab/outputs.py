"""Output directories: created and proven writable before any expensive work starts."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from detoxlab.errors import DetoxlabError


class OutputDirError(DetoxlabError):
    """An output directory that cannot be created or written to: ``path`` is the directory, the message
    the operating system's reason."""

    def describe(self) -> str:
        return f"cannot write to output directory {os.fspath(self.path)}: {self.message}"


def writable_dir(out) -> Path:
    """Create ``out`` if needed and write a throwaway file in it, so a read-only or full location fails
    now with one line, not after minutes of training with nowhere to put the results."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-").close()
    except OSError as error:
        raise OutputDirError(error.strerror or str(error), path=out) from None
    return out
