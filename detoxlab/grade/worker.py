"""Grade one submission, in a process of its own: read, run in a sandbox, extract evidence, check, write.

``python -m detoxlab.grade.worker SPEC.json`` is what the batch starts once per submission, in a new
session, so a submission that kills its kernel's parent takes down at most this process (the batch then
writes the result). Whatever happens, a ``results.json`` is written, after every process the submission
started is gone, and the last line on stdout is ``DETOXLAB-RESULT <summary JSON>``.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import secrets
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from detoxlab.files import private_write
from detoxlab.grade import evidence, results
from detoxlab.grade.limits import Limits, torch_reserves_address_space
from detoxlab.grade.processes import Watchdog
from detoxlab.grade.sandbox import Sandbox

RESULT_TAG = "DETOXLAB-RESULT "
LAB_NOTEBOOK = "detox_lab.ipynb"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ERROR_CAP = 3_000
NOTEBOOK_MAX_BYTES = 20 * 2**20
INTERRUPT_SECONDS = 10        # after a cell timeout: how long the interrupted kernel has to become idle


class InvalidSubmission(Exception):
    """The submission cannot be run; ``kind`` is an outcome, the message is for the student."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def find_notebook(submission: Path) -> Path:
    """The notebook of a submission: the file itself, or the one notebook in a folder (the lab's name wins)."""
    if submission.is_file():
        return submission
    notebooks = sorted(p for p in submission.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file())
    if not notebooks:
        raise InvalidSubmission("no-notebook", "No notebook (.ipynb file) was found in the submission.")
    named = [p for p in notebooks if p.name == LAB_NOTEBOOK]
    return (named or notebooks)[0]


def read_notebook(path: Path):
    """The notebook as nbformat v4, or InvalidSubmission saying what is wrong with the file."""
    import nbformat

    if path.is_symlink():
        raise InvalidSubmission("invalid-notebook", f"{path.name} is a symbolic link, not a notebook file.")
    raw = path.read_bytes()[: NOTEBOOK_MAX_BYTES + 1]
    if not raw.strip():
        raise InvalidSubmission("invalid-notebook", f"{path.name} is empty: submit the saved notebook.")
    if len(raw) > NOTEBOOK_MAX_BYTES:
        raise InvalidSubmission("invalid-notebook", f"{path.name} is larger than {NOTEBOOK_MAX_BYTES // 2**20} MB: "
                                                    "clear the outputs and submit again.")
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise InvalidSubmission("invalid-notebook", f"{path.name} is not valid notebook JSON{where}: "
                                                    "submit the notebook as Jupyter saved it.") from None
    try:
        notebook = nbformat.from_dict(content)
        if notebook.get("nbformat") != 4:
            notebook = nbformat.convert(notebook, 4)
        cells = notebook["cells"]
        for cell in cells:
            if cell["cell_type"] not in ("code", "markdown", "raw"):
                raise ValueError(cell["cell_type"])
            cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else str(cell["source"])
    except Exception:  # any structural problem: the student can act on the same advice
        raise InvalidSubmission("invalid-notebook", f"{path.name} is JSON but not a Jupyter notebook "
                                                    "(no list of cells): submit the notebook as Jupyter saved it.") from None
    return notebook


def prepare(notebook, staged_profile: Path):
    """A clean copy to run: no outputs, no execution metadata, the grader's profile injected after the
    ``parameters`` cell (or first). Returns (notebook, position) where ``position[i]`` is the 1-based cell
    number in the submitted notebook (None for the injected cell)."""
    import nbformat

    cells, positions = [], []
    parameters_at = None
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        tags = list(cell.get("metadata", {}).get("tags", []))
        clean = nbformat.v4.new_code_cell(cell.source)
        cells.append(clean)
        positions.append(number)
        if "parameters" in tags and parameters_at is None:
            parameters_at = len(cells)
    injected = nbformat.v4.new_code_cell(f"# injected by the grader\nprofile_name = {str(staged_profile)!r}\n"
                                         "output_dir = None\n")
    at = parameters_at if parameters_at is not None else 0
    cells.insert(at, injected)
    positions.insert(at, None)
    prepared = nbformat.v4.new_notebook(cells=cells)
    prepared.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return prepared, positions


@dataclass
class Execution:
    kind: str = "completed"
    cell: int | None = None            # 1-based cell number in the submitted notebook where it stopped
    cell_line: str = ""
    errors: list = field(default_factory=list)   # (cell number, ename, evalue, traceback)
    memory_cell: int | None = None
    evidence_outputs: list = field(default_factory=list)
    detail: str = ""
    exit_code: int | None = None
    seconds: float = 0.0
    left_over: int = 0


def _first_line(source: str) -> str:
    lines = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    return (lines[0] if lines else "")[:80]


async def _execute(notebook, positions, sandbox: Sandbox, extraction: str, log_path: Path) -> Execution:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    limits = sandbox.limits
    run = Execution()
    started = time.monotonic()
    with open(log_path, "ab") as log:
        km = await sandbox.start_kernel(log)
    watchdog = Watchdog(sandbox)
    watchdog.start()
    client = NotebookClient(notebook, km=km, timeout=int(limits.cell_seconds), allow_errors=True,
                            interrupt_on_timeout=False, record_timing=False, iopub_timeout=10,
                            raise_on_iopub_timeout=False, kernel_name="python3")
    client.kc = km.client()
    client.kc.start_channels()
    try:
        ready, deadline = False, time.monotonic() + limits.startup_seconds
        while not ready and time.monotonic() < deadline and await km.is_alive():
            try:
                await asyncio.wait_for(client.kc.wait_for_ready(timeout=2), 4)
                ready = True
            except Exception:
                pass
        if not ready:
            run.kind, run.detail = "no-kernel", "the kernel did not start (see the kernel log)"
            return run
        for index, cell in enumerate(notebook.cells):
            run.cell, run.cell_line = positions[index], _first_line(cell.source)
            try:
                await client.async_execute_cell(cell, index, store_history=True)
            except CellTimeoutError:
                run.kind = "timeout-cell"
                break
            except Exception as error:  # the kernel died, or the watchdog killed it
                run.kind = "kernel-died"
                run.detail = f"{type(error).__name__}: {str(error)[:300]}"
                break
            for output in cell.outputs:
                if output.get("output_type") == "error":
                    trace = ANSI.sub("", "\n".join(output.get("traceback", [])))
                    run.errors.append((positions[index], output.get("ename", ""), str(output.get("evalue", ""))[:300], trace))
                    if output.get("ename") == "MemoryError" and run.memory_cell is None:
                        run.memory_cell = positions[index]
            if watchdog.reason:
                break
        alive = await km.is_alive()
        if watchdog.reason is None and alive:
            listening = True
            if run.kind == "timeout-cell":  # stop the runaway cell; grade what was done before it, if the kernel listens
                watchdog.deadline = time.monotonic() + INTERRUPT_SECONDS + 5
                await km.interrupt_kernel()
                listening = await _answers(client.kc, INTERRUPT_SECONDS)
            if listening:
                client.timeout = int(limits.extraction_seconds)
                watchdog.deadline = time.monotonic() + client.timeout + 5
                cell = __import__("nbformat").v4.new_code_cell(extraction)
                try:
                    await client.async_execute_cell(cell, len(notebook.cells), store_history=False)
                    run.evidence_outputs = list(cell.outputs)
                except Exception:
                    run.evidence_outputs = list(cell.get("outputs", []))
    finally:
        watchdog.stop()
        run.seconds = time.monotonic() - started
        if watchdog.reason:
            run.kind, run.detail = watchdog.reason, watchdog.detail
        try:
            client.kc.stop_channels()
        except Exception:
            pass
        sandbox.kill_all()
        process = km.provisioner.process if km.provisioner else None
        run.exit_code = process.poll() if process is not None else None
        try:
            await asyncio.wait_for(km.shutdown_kernel(now=True), 10)
        except Exception:
            pass
    return run


async def _answers(kc, seconds: float) -> bool:
    """Whether the kernel answers a kernel_info request within ``seconds`` (it does once it is idle)."""
    msg_id = kc.kernel_info()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            reply = await kc.get_shell_msg(timeout=left)
        except Exception:  # queue.Empty: no answer in time
            return False
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return True
    return False


def describe(run: Execution, limits: Limits) -> tuple[str, str]:
    """(outcome kind, a sentence for the student) for a finished execution."""
    where = f"cell {run.cell}" + (f" (`{run.cell_line}`)" if run.cell_line else "") if run.cell else "the grader's set-up"
    if run.kind == "no-kernel":
        return "grader-error", "The grader could not start a kernel for this notebook; course staff have been told."
    if run.kind == "timeout-cell":
        return "timeout-cell", f"Your notebook timed out after {limits.cell_seconds:g} s in {where}."
    if run.kind == "timeout-total":
        return "timeout-total", f"Your notebook timed out after {limits.total_seconds:g} s in all, in {where}."
    if run.kind == "memory":
        return "memory", f"Your notebook ran out of memory ({limits.memory_mb} MB) in {where}."
    if run.kind == "processes":
        return "processes", f"Your notebook started too many processes ({run.detail}) in {where}."
    if run.kind == "kernel-died":
        code = run.exit_code
        how = (f"killed by signal {-code}" if code is not None and code < 0 else
               f"exit status {code}" if code is not None else run.detail or "no exit status")
        return "kernel-died", (f"The kernel died in {where} ({how}): do not call exit(), os._exit() or kill "
                               "processes in the notebook.")
    if run.memory_cell is not None:
        return "memory", f"Your notebook ran out of memory ({limits.memory_mb} MB) in cell {run.memory_cell}."
    if run.errors:
        number, ename, evalue, _ = run.errors[0]
        more = f" ({len(run.errors)} cells raised errors)" if len(run.errors) > 1 else ""
        return "cell-errors", f"Cell {number} raised {ename}: {evalue}{more}."
    return "completed", ""


def short_answers(notebook) -> str:
    """The student's answers to the notebook's questions (markdown cells marked ``detoxlab.answer`` in their
    metadata), for course staff: not scored; the solution notebook holds the model answers."""
    answers = []
    for cell in notebook["cells"]:
        metadata = cell.get("metadata") or {}
        question = (metadata.get("detoxlab") or {}).get("answer") if isinstance(metadata.get("detoxlab"), dict) else None
        if question and cell.get("cell_type") == "markdown":
            answers.append(f"{str(question)[:40]}: {str(cell.get('source', '')).strip()[:1500]}")
    return "\n\n".join(answers)


def grade_submission(spec: dict) -> tuple[dict, dict]:
    """Grade the submission ``spec`` describes; returns (results.json payload, summary row)."""
    from detoxlab.profiles import load_profile

    started = time.monotonic()
    profile = load_profile(spec["profile"])
    limits = Limits(**spec["limits"])
    if torch_reserves_address_space():
        limits = dataclasses.replace(limits, address_space=False)
    import checks
    from checks.kernel import grader_cell

    checks.use_profile(profile)
    staff: dict[str, str] = {}
    payload = None
    extra = {"submission": spec["name"], "profile": profile.name,
             "limits": vars(limits)}
    try:
        notebook_path = find_notebook(Path(spec["submission"]))
        notebook = read_notebook(notebook_path)
        staff["short answers"] = short_answers(notebook)
        shared = evidence.resources(profile, Path(spec["cache"]))
        sandbox = Sandbox(Path(spec["private"]), limits)
        private_write(Path(spec["private"], "sandbox.json"), json.dumps(sandbox.to_notes()))
        log_path = Path(spec["private"]) / "kernel.log"
        private_write(log_path, "")
        try:
            sandbox.copy_submission(Path(spec["submission"]))  # the kernel's working folder; it runs `prepared`
            staged = sandbox.stage_profile(profile)
            prepared, positions = prepare(notebook, staged)
            evidence_dir = sandbox.root / f"evidence-{secrets.token_hex(8)}"
            evidence_dir.mkdir(mode=0o700)
            sandbox.give(evidence_dir)
            nonce, drawn = evidence.new_nonce(), evidence.requests(shared, evidence_dir / "adapter.pt")
            run = asyncio.run(_execute(prepared, positions, sandbox, grader_cell(nonce, drawn, str(staged)), log_path))
            payload, problem = evidence.parse(run.evidence_outputs, nonce) if run.evidence_outputs else (None, "")
            kind, message = describe(run, limits)
            if payload is None:
                unfinished = kind not in ("completed", "cell-errors") and message
                problem = message if unfinished else problem or "the grader could not read the notebook's variables"
            # judged before the sandbox is cleaned up: the improvement check reads the exported adapter
            check_results = evidence.grade(payload, problem, drawn, shared)
        finally:
            left = 0 if sandbox.kill_all() else len(sandbox.processes(thorough=True))
            sandbox.cleanup()
        staff["errors in cells"] = "\n\n".join(f"cell {n}: {trace}" for n, _, _, trace in run.errors)[:ERROR_CAP * 3]
        staff["evidence"] = json.dumps({"problems": (payload or {}).get("problems", {}), "parse": problem,
                                        "processes_surviving_cleanup": left, "watchdog": run.detail}, indent=1)
        staff["kernel log"] = _tail(log_path)
        outcome = results.Outcome(kind, message, staff, time.monotonic() - started)
    except InvalidSubmission as error:
        check_results = _all_failed(f"not graded: {error}")
        outcome = results.Outcome(error.kind, str(error), staff, time.monotonic() - started)
    except Exception:  # the grader's fault, not the student's: no mark at all, and staff are told
        staff["grader traceback"] = traceback.format_exc()
        payload = results.not_graded(spec["name"], "grader-error", "the grader failed on this submission.",
                                     time.monotonic() - started, staff)
        return payload, results.not_graded_row(spec["name"], payload, spec["results"])
    payload = results.build(check_results, outcome, extra)
    return payload, summary_row(spec["name"], payload, spec["results"])


def _tail(path: Path, limit: int = 4_000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return ANSI.sub("", data[-limit:].decode("utf-8", "replace"))


def _all_failed(message: str):
    """One failed result per check, with the checks' own names and points."""
    from checks.registry import not_graded

    return not_graded(message)


def summary_row(name: str, payload: dict, results_path) -> dict:
    return {"submission": name, "score": payload["score"], "max_score": payload["extra_data"]["max_score"],
            "outcome": payload["extra_data"]["outcome"], "seconds": payload["execution_time"],
            "results": str(results_path),
            "tests": {t["name"]: t["score"] for t in payload["tests"] if "score" in t}}


def main(argv: list[str] | None = None) -> int:
    spec = json.loads(Path((argv or sys.argv[1:])[0]).read_text(encoding="utf-8"))
    payload, row = grade_submission(spec)
    results.write(Path(spec["results"]), payload)
    print(RESULT_TAG + json.dumps({"row": row, "payload": payload}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
