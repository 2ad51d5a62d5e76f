"""detoxlab.files: atomic writes, file hashes, directory replacement."""
import hashlib
import json
import stat

import pytest

from detoxlab import files


def test_json_is_written_whole_with_a_final_newline_and_numpy_numbers_as_floats(tmp_path):
    import numpy as np

    path = files.write_json_atomically(tmp_path / "out.json", {"b": np.float32(0.5), "a": 1})
    assert path.read_text().endswith("}\n") and json.loads(path.read_text()) == {"b": 0.5, "a": 1}
    assert stat.S_IMODE(path.stat().st_mode) == files.PRIVATE
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_sorted_keys_and_a_shared_mode(tmp_path):
    path = files.write_json_atomically(tmp_path / "m.json", {"b": 1, "a": 2}, mode=files.SHARED, sort_keys=True)
    assert path.read_text().index('"a"') < path.read_text().index('"b"')
    assert stat.S_IMODE(path.stat().st_mode) == files.SHARED


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out.json"
    files.write_json_atomically(path, {"old": True})
    with pytest.raises(TypeError):
        files.write_json_atomically(path, {"new": object()})
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_text_keeps_its_newlines_when_asked(tmp_path):
    path = files.write_text_atomically(tmp_path / "rows.csv", "a,b\r\n1,2\r\n", newline="")
    assert path.read_bytes() == b"a,b\r\n1,2\r\n"


def test_hashes_match_hashlib(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"x" * 3_000_000)
    assert files.sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert files.file_hash(path, "md5") == hashlib.md5(path.read_bytes()).hexdigest()
    header = b"blob 3000000\0"
    assert files.file_hash(path, lambda: hashlib.sha1(header)) == hashlib.sha1(header + path.read_bytes()).hexdigest()


def test_replace_dir_swaps_a_directory_and_leaves_no_old_copy(tmp_path):
    dest, new = tmp_path / "dest", tmp_path / "new"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    files.replace_dir(new, dest)
    assert [p.name for p in dest.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest"]
