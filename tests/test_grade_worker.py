"""detoxlab.grade.worker: reading a submission and preparing it to run."""
from pathlib import Path

import pytest

from detoxlab.grade.worker import InvalidSubmission, prepare, read_notebook

CORPUS = Path(__file__).parent / "grading_corpus"


@pytest.mark.parametrize("name, words", [("empty", "is empty"), ("invalid_json", "not valid notebook JSON"),
                                         ("not_a_notebook", "not a Jupyter notebook")])
def test_unreadable_notebooks_say_why(name, words):
    with pytest.raises(InvalidSubmission, match=words):
        read_notebook(CORPUS / f"{name}.ipynb")


def test_prepare_injects_the_profile_after_the_parameters_cell(tmp_path):
    notebook = read_notebook(CORPUS / "syntax_error.ipynb")
    prepared, positions = prepare(notebook, tmp_path / "p.toml")
    assert positions == [1, None, 2, 3]
    assert str(tmp_path / "p.toml") in prepared.cells[1].source
    assert all(not cell.outputs for cell in prepared.cells)
