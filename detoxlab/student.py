"""`detoxlab student`: the student notebook, generated from the solution notebook (never edited by hand).

In code cells, each block between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes a placeholder
that raises ``NotImplementedError`` with the block's ``# HINT:`` line; outputs are cleared; markdown and
everything else stay as they are.
"""
from __future__ import annotations

import re
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


def make_student(solution: Path = SOLUTION, student: Path = STUDENT) -> Path:
    notebook = nbformat.read(solution, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
    strip_run_metadata(notebook)
    student.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, student)
    return student
