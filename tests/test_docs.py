"""The documentation names files that exist: a maintainer following README.md, CONTRIBUTING.md or docs/
is never sent to a file a rename left behind."""
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DOCUMENTS = [PROJECT / "README.md", PROJECT / "CONTRIBUTING.md", *sorted((PROJECT / "docs").rglob("*.md"))]
FOLDERS = ("detoxlab/", "checks/", "tests/", "scripts/", "solutions/", "lab/", "docs/", "gradescope/", ".ci/")
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
CODE = re.compile(r"`([^`\n]+)`")
# a relative path of the project inside a code span (not part of an absolute path or an image name); one
# that goes on with a placeholder (<key>, *) names a family of files, and one followed by ":" an image tag:
# both are left out
PATH = re.compile(r"(?<![\w/:.-])((?:" + "|".join(re.escape(f) for f in FOLDERS) + r")[\w./-]*+)(?![<*{:])")


def named_paths(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    spans = FENCED.findall(text) + CODE.findall(FENCED.sub("", text))
    return sorted({m.group(1).rstrip(".") for span in spans for m in PATH.finditer(span)})


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(PROJECT)))
def test_every_project_path_a_document_names_exists(document):
    missing = [name for name in named_paths(document) if not (PROJECT / name).exists()]
    assert not missing, f"{document.relative_to(PROJECT)} names files that do not exist: {missing}"
