"""The bench's one error type (here so that every bench module can raise it without importing the others)."""
from detoxlab.errors import DetoxlabError


class BenchError(DetoxlabError, RuntimeError):
    """A bad bench setting, or a side that did not finish."""
