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
    assert [c.source for c in solution.cells if c.cell_type == "markdown" and not student.is_answer(c)] == \
           [c.source for c in lab.cells if c.cell_type == "markdown" and not student.is_answer(c)]
    answers = [c for c in lab.cells if student.is_answer(c)]
    assert len(answers) >= 4 and all(c.source == student.ANSWER_PLACEHOLDER for c in answers)
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


# Solution lines that are plain Python idiom rather than an answer, and may appear in infrastructure.
IDIOMS = {"for start in range(0, len(prompts), batch_size):", "size, length = mask.shape"}


def solution_lines() -> set[str]:
    """The solution blocks' code lines (comments, short lines and IDIOMS left out), stripped of indentation."""
    lines = set()
    for cell in nbformat.read(student.SOLUTION, as_version=4).cells:
        if cell.cell_type == "code":
            for match in student.BLOCK.finditer(cell.source):
                lines |= {line.strip() for line in match.group("body").splitlines()
                          if len(line.strip()) >= 24 and not line.strip().startswith("#")}
    return lines - IDIOMS


# What the exercises ask the student to decide, written as code: none of it may be in the student's hands.
EXERCISE_CODE = ("train_test_split(", "is_trainable=True", "AutoModelForSeq2SeqLMWithValueHead.from_pretrained(",
                 "PPOTrainer(", "use_sft_reference(ppo_trainer", 'function_to_apply="none"', "function_to_apply='none'")


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    return student.write_handout(tmp_path_factory.mktemp("handout") / "detoxlab-lab")


def test_the_students_environment_holds_no_answer(handout):
    present = [path for path in student.STAFF_ONLY if (handout / path).exists()]
    assert not present, f"staff-only paths in the handout: {present}"
    assert (handout / "lab" / "detox_lab.ipynb").is_file() and (handout / "checks" / "bundles" / "mini.json").is_file()
    wanted, found = solution_lines(), []
    assert len(wanted) > 20
    for path in sorted(p for p in handout.rglob("*") if p.is_file() and p.suffix in {".py", ".ipynb", ".md", ".sh", ".json", ".toml", ".txt", ".cfg", ""}):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":  # the code and prose a student reads, not JSON escapes
            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        found += [f"{path.relative_to(handout)}: {line}" for line in wanted if line in text]
        found += [f"{path.relative_to(handout)}: {code}" for code in EXERCISE_CODE
                  if code in text and path.suffix in {".py", ".sh"}]
    assert not found, "the solution's code is in the student's environment:\n" + "\n".join(found)


def test_the_scan_would_find_the_solution(tmp_path):
    """The search above finds what it looks for: in the project itself, the answer key and the solution."""
    wanted = solution_lines()
    solution = "\n".join(c.source for c in nbformat.read(student.SOLUTION, as_version=4).cells)
    assert all(line in solution for line in wanted)
    answer_key = "\n".join(p.read_text() for p in (student.ROOT / "answer_key").glob("*.py"))
    assert "train_test_split(" in answer_key and "PPOTrainer(" in answer_key


def test_the_handout_runs_the_lab_without_the_answer_key(handout):
    """In the handout, with the answer key out of reach: the staff's commands refuse in one line, and a check
    that needs the reference runs on the answers bundled with the lab."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(handout), "PYTHONSAFEPATH": "1"}
    env.pop("DETOXLAB_DATA_DIR", None)
    code = ("import sys\n"
            "sys.meta_path = [f for f in sys.meta_path if 'editable' not in str(getattr(f, '__module__', '')).lower()]\n"
            "import checks, detoxlab\n"
            f"assert detoxlab.__file__.startswith({str(handout)!r}), detoxlab.__file__\n"
            "from checks import bundle\n"
            "assert not bundle.answer_key_available()\n"
            "wrong = checks.run('change', {'toxicity_change': lambda before, after: 0.0})\n"
            "right = checks.run('change', {'toxicity_change': lambda b, a: 100 * (sum(a) / len(a) - sum(b) / len(b)) / (sum(b) / len(b))})\n"
            "print(wrong.passed, right.passed, 'bundled with the lab' in right.message)\n"
            "from detoxlab import cli\n"
            "print(cli.main(['run', '--out', 'x']))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=handout, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:2] == ["False True True", "2"], done.stdout
    assert "course-staff command" in done.stderr


def test_the_bundled_answers_are_what_the_answer_key_gives(no_data_dir):
    """checks/bundles/mini.json is exactly what `detoxlab student` writes now (regenerate it after changing a
    check's draw, the answer key or the stand-ins)."""
    import json

    from checks import bundle
    from detoxlab.profiles import load_profile

    mini = load_profile("mini")
    assert bundle.build(mini) == json.loads(bundle.path_for(mini).read_text()), (
        "checks/bundles/mini.json is stale: run `detoxlab student` and commit the result")


def test_handout_refuses_a_folder_in_use(tmp_path):
    (tmp_path / "x.txt").write_text("mine")
    with pytest.raises(student.HandoutError, match="not an empty folder"):
        student.write_handout(tmp_path)
    with pytest.raises(student.HandoutError, match="inside the project"):
        student.write_handout(student.ROOT / "out" / "handout")
