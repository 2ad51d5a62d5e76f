"""The student notebook is generated from the solution, and runs with its exercises failing helpfully."""
import nbformat
import pytest

from detoxlab import student
from detoxlab.student import SolutionMarkupError, strip_solutions


def test_committed_student_notebook_is_exactly_what_the_generator_makes(tmp_path):
    regenerated = student.make_student(student.SOLUTION, tmp_path / "detox_lab.ipynb")
    assert regenerated.read_bytes() == student.STUDENT.read_bytes(), (
        "lab/detox_lab.ipynb differs from the generated one: run `detoxlab student` and commit the result")


def test_solution_blocks_become_exercises_with_their_hint():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    # HINT: double it\n    return 2 * x\n    ### END SOLUTION\n\nprint(f)\n"
    assert strip_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE. Hint: double it\n"
        "    raise NotImplementedError('Exercise: double it')\n\nprint(f)\n")


def test_block_without_hint_is_refused():
    with pytest.raises(SolutionMarkupError, match="without a '# HINT:' line"):
        strip_solutions("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n")


def test_unbalanced_block_is_refused():
    with pytest.raises(SolutionMarkupError, match="unbalanced"):
        strip_solutions("### BEGIN SOLUTION\n# HINT: h\nx = 1\n")


def test_student_notebook_keeps_markdown_and_hides_every_solution():
    solution = nbformat.read(student.SOLUTION, as_version=4)
    lab = nbformat.read(student.STUDENT, as_version=4)
    assert [c.cell_type for c in solution.cells] == [c.cell_type for c in lab.cells]
    assert [c.source for c in solution.cells if c.cell_type == "markdown"] == \
           [c.source for c in lab.cells if c.cell_type == "markdown"]
    text = "\n".join(c.source for c in lab.cells)
    assert "BEGIN SOLUTION" not in text and text.count("raise NotImplementedError") == \
        "\n".join(c.source for c in solution.cells).count("### BEGIN SOLUTION")
    assert all(not c.get("outputs") for c in lab.cells if c.cell_type == "code")


@pytest.mark.slow
def test_student_notebook_runs_and_its_exercises_fail_with_the_hint(tmp_path, no_data_dir):
    from nbclient import NotebookClient

    notebook = nbformat.read(student.STUDENT, as_version=4)
    position = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
    notebook.cells.insert(position + 1, nbformat.v4.new_code_cell("ppo_steps = 1\neval_samples = 4"))
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    exercise_errors = [e for e in errors if e.ename == "NotImplementedError"]
    assert exercise_errors and all(e.evalue.startswith("Exercise: ") for e in exercise_errors)
    # everything else that failed did so only because an exercise was left undone
    assert {e.ename for e in errors} <= {"NotImplementedError", "NameError"}
    assert code[-1].execution_count is not None, "the kernel died before the last cell"
