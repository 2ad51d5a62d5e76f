"""The one error type of the package's known failures: bad input, missing data or models, an unwritable place.

A ``DetoxlabError`` is the user's to fix, so its message is one line that says what and where; the CLI
catches it once, prints that line and exits 2. Anything else is a bug and keeps its traceback. Subclasses
exist where a caller needs to tell a case apart (``ProfileError``, ``AdapterMismatch``, ...).

This module imports nothing from the package, so that every module can import it.
"""
from __future__ import annotations

import os


class DetoxlabError(Exception):
    """A known failure. ``key`` is the setting at fault (``ppo.batch_size``), ``path`` the file or
    directory as the message names it, ``hint`` what to do about it; the message is built from them:
    ``{path}: {message} ({hint})``."""

    def __init__(self, message: str, *, key: str | None = None, path: str | os.PathLike | None = None,
                 hint: str | None = None):
        self.message, self.key, self.path, self.hint = message, key, path, hint
        super().__init__(self.describe())

    def describe(self) -> str:
        """The one line the user reads; a subclass whose sentence reads better another way overrides it."""
        where = f"{os.fspath(self.path)}: " if self.path is not None else ""
        return where + self.message + (f" ({self.hint})" if self.hint else "")
