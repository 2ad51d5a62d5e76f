"""What the student gets: the student notebook, and the student's environment, both made from the project.

``detoxlab student``: the student notebook, generated from the solution notebook (never edited by hand). In
code cells, each block between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes a placeholder that
raises ``NotImplementedError`` with the block's ``# HINT:`` lines; outputs are cleared; an answer cell's
model answer becomes a placeholder; other markdown and everything else stay as they are.

``detoxlab handout DIR``: the student's environment, as otter-grader's and nbgrader's student folders: the
project without what only course staff may have (``STAFF_ONLY``: the answer key, the solution notebook, the
grader and the staff's tools, the tests and their corpus of graded notebooks). The image's ``lab`` target is
made the same way (``--prune``), and ``tests/test_student.py`` searches a handout for the solution's code.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from detoxlab.errors import DetoxlabError

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "detox_lab.ipynb"
STUDENT = ROOT / "lab" / "detox_lab.ipynb"
BEGIN, END, HINT = "### BEGIN SOLUTION", "### END SOLUTION", "# HINT:"
BLOCK = re.compile(rf"^(?P<indent>[ \t]*){re.escape(BEGIN)}[^\n]*\n(?P<body>.*?)^[ \t]*{re.escape(END)}[^\n]*$",
                   re.MULTILINE | re.DOTALL)


class SolutionMarkupError(DetoxlabError, ValueError):
    """A solution block is unbalanced or has no hint; the hint names the cell by its first line."""


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def _placeholder(match: re.Match) -> str:
    indent = match.group("indent")
    hints = [line.strip()[len(HINT):].strip() for line in match.group("body").splitlines()
             if line.strip().startswith(HINT)]
    if not hints:
        raise SolutionMarkupError(f"solution block without a '{HINT}' line",
                                  hint=f"the block begins {_first_line(match.group('body'))!r}")
    hint = " ".join(hints)
    return f"{indent}# YOUR CODE HERE. Hint: {hint}\n{indent}raise NotImplementedError({('Exercise: ' + hint)!r})"


def strip_solutions(source: str) -> str:
    stripped = BLOCK.sub(_placeholder, source)
    if BEGIN in stripped or END in stripped:
        raise SolutionMarkupError(f"unbalanced {BEGIN} / {END}", hint=f"in the cell beginning {_first_line(source)!r}")
    return stripped


def strip_run_metadata(notebook) -> None:
    """Remove what executing a notebook records about the run (papermill's bookkeeping, cell execution
    times, the empty ``tags`` lists papermill adds), so a stored notebook does not change with each run."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]


ANSWER_PLACEHOLDER = "*Your answer here.*"


def is_answer(cell) -> bool:
    """A markdown cell where the student answers a question (``{"detoxlab": {"answer": KEY}}`` in its
    metadata): the grader passes it to course staff, unscored."""
    return cell.cell_type == "markdown" and bool(cell.metadata.get("detoxlab", {}).get("answer"))


def make_student(solution: Path = SOLUTION, student: Path = STUDENT) -> Path:
    notebook = nbformat.read(solution, as_version=4)
    for cell in notebook.cells:
        if is_answer(cell):  # the solution's model answer stays with staff
            cell.source = ANSWER_PLACEHOLDER
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
    strip_run_metadata(notebook)
    student.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, student)
    return student


def make_bundles(profile_names: tuple[str, ...] = ("mini",)) -> list[Path]:
    """The reference answers the student's checks use (``checks.bundle``), for each named profile, from the
    profile's own data source (the bundles hold answers about that data: DETOXLAB_DATA_DIR is set aside)."""
    import os

    from checks import bundle
    from detoxlab.data import DATA_DIR_ENV
    from detoxlab.profiles import load_profile

    saved = os.environ.pop(DATA_DIR_ENV, None)
    try:
        return [bundle.write(load_profile(name)) for name in profile_names]
    finally:
        if saved is not None:
            os.environ[DATA_DIR_ENV] = saved


# The folders that hold the exercises' answers: the student's environment leaves them out, and a submission's
# kernel cannot read them while the grader runs it (detoxlab.grade.view).
ANSWERS = ("answer_key", "solutions", "tests")
# Relative to the project's root. Staff tools (detoxlab run, train, study, bench, grade, the stand-in build)
# call the answer key; the tests and the grading corpus hold solution code by design.
STAFF_ONLY = (*ANSWERS, "docs", "gradescope", ".ci", "CONTRIBUTING.md",
              "detoxlab/run.py", "detoxlab/train.py", "detoxlab/study.py", "detoxlab/bench", "detoxlab/grade",
              "detoxlab/make_stand_ins", "scripts/refresh_notebook_outputs.py", "scripts/dynahate_ceiling.py",
              "scripts/improvement_margins.py")
# Local state that is no one's material (as .dockerignore leaves it out of the image).
LOCAL_STATE = (".git", ".venv", "out", ".pytest_cache", ".ruff_cache", "__pycache__", ".ipynb_checkpoints")


class HandoutError(DetoxlabError, ValueError):
    """The handout's destination cannot be used."""


def _skipped(relative: Path) -> bool:
    text = relative.as_posix()
    return (any(text == path or text.startswith(path + "/") for path in STAFF_ONLY)
            or any(part in LOCAL_STATE or part.endswith(".egg-info") or part.startswith(".stand-ins-")
                   for part in relative.parts))


def write_handout(destination: Path, root: Path = ROOT) -> Path:
    """Copy the project into ``destination`` (new or empty) without ``STAFF_ONLY`` and local state."""
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise HandoutError(f"{destination} exists and is not an empty folder", hint="name a new folder")
    if destination.resolve().is_relative_to(root.resolve()):
        raise HandoutError(f"{destination} is inside the project", hint="name a folder outside it")
    for source in sorted(root.rglob("*")):
        relative = source.relative_to(root)
        if _skipped(relative) or source.is_dir():
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return destination


def prune(root: Path = ROOT) -> list[Path]:
    """Remove ``STAFF_ONLY`` from a copy of the project in place (the image's ``lab`` target)."""
    removed = []
    for path in STAFF_ONLY:
        target = Path(root) / path
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        else:
            continue
        removed.append(target)
    return removed
