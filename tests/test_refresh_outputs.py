"""scripts/refresh_notebook_outputs.py keeps papermill's bookkeeping and local paths out of the stored notebook."""
import importlib.util
from pathlib import Path

import nbformat

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "refresh_notebook_outputs.py"


def load_script():
    spec = importlib.util.spec_from_file_location("refresh_notebook_outputs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clean_drops_papermill_metadata_empty_tags_and_stderr_naming_local_paths():
    refresh = load_script()
    v4 = nbformat.v4
    code = v4.new_code_cell("print(1)", metadata={"tags": [], "papermill": {"duration": 1.0}, "execution": {"iopub.execute_input": "2026-01-01T00:00:00Z"}})
    code.outputs = [
        v4.new_output("stream", name="stderr", text="/home/someone/venv/lib/site-packages/x.py:3: UserWarning: w\n"),
        v4.new_output("stream", name="stderr", text="Map: 100%|##########| 120/120\n"),
        v4.new_output("stream", name="stdout", text="/home/someone/venv printed on stdout stays\n"),
    ]
    tagged = v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})
    kernelspec = {"name": "python3", "display_name": "Python 3"}
    notebook = v4.new_notebook(cells=[code, tagged], metadata={"papermill": {"parameters": {}}, "kernelspec": kernelspec})

    refresh.clean(notebook, ["/home/someone/venv"])

    assert "papermill" not in notebook.metadata and notebook.metadata["kernelspec"]["name"] == "python3"
    assert dict(code.metadata) == {} and tagged.metadata["tags"] == ["parameters"]
    assert [o.get("name") for o in code.outputs] == ["stderr", "stdout"]
    assert code.outputs[0].text.startswith("Map:")
    nbformat.validate(notebook)
