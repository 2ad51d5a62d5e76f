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


def test_short_answers_reach_staff_and_odd_metadata_is_ignored():
    import nbformat

    from detoxlab.grade.worker import short_answers

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("The reward rose after step 10.", metadata={"detoxlab": {"answer": "curves"}}),
        nbformat.v4.new_markdown_cell("a question", metadata={"detoxlab": "not a table"}),
        nbformat.v4.new_code_cell("x = 1", metadata={"detoxlab": {"answer": "code is not an answer"}}),
        nbformat.v4.new_markdown_cell("Shorter " * 400, metadata={"detoxlab": {"answer": "length"}})])
    text = short_answers(notebook)
    assert text.startswith("curves: The reward rose after step 10.\n\nlength: Shorter Shorter")
    assert "not a table" not in text and "code is not" not in text and len(text) < 1600
    assert short_answers(read_notebook(CORPUS / "syntax_error.ipynb")) == ""
