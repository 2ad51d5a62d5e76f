"""detoxlab.grade.view: what the submission's user can see of the grader's files."""
import shutil
import tempfile
from pathlib import Path

from detoxlab.grade.view import hidden_ancestors


def test_hidden_ancestors_names_the_folder_to_expose():

    base = Path(tempfile.mkdtemp())  # in the system's temporary folder, which anyone may enter
    try:
        base.chmod(0o755)
        private = base / "home"
        (private / "python" / "bin").mkdir(parents=True)
        private.chmod(0o700)
        assert hidden_ancestors([private / "python" / "bin"]) == {str(private): {"python"}}
        private.chmod(0o755)
        assert hidden_ancestors([private / "python" / "bin"]) == {}
    finally:
        shutil.rmtree(base)
