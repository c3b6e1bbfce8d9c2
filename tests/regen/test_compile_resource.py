"""`genspec compile --resource URI=FILE`: a local file stands for a document its `$ref`s name by
URL, as the official test suite names its remotes (http://localhost:1234/...)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from regen_helpers import genspec

from genspec.compile_command import split_resource

REMOTE = "http://localhost:1234/draft2020-12/integer.json"


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def verdicts(module: Path, instances: list[object]) -> list[bool]:
    code = (
        "import json, sys, importlib.util as u\n"
        f"spec = u.spec_from_file_location('v', {str(module)!r}); m = u.module_from_spec(spec)\n"
        "sys.modules['v'] = m; spec.loader.exec_module(m)\n"
        f"print(json.dumps([m.is_valid(x) for x in {instances!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


def test_a_resource_mapped_by_uri_resolves_a_remote_ref(tmp_path: Path) -> None:
    write(tmp_path / "integer.json", {"type": "integer"})  # no $id: only the URI names it
    schema = write(
        tmp_path / "schema.json",
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "properties": {"count": {"$ref": REMOTE}},
        },
    )
    unmapped = genspec("compile", schema, "-o", tmp_path / "v0.py", "--resource", "integer.json",
                       cwd=tmp_path)  # fmt: skip
    assert unmapped.returncode == 1 and REMOTE in unmapped.stderr

    done = genspec("compile", schema, "-o", tmp_path / "v.py", "--resource",
                   f"{REMOTE}=integer.json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert verdicts(tmp_path / "v.py", [{"count": 3}, {"count": "3"}, {"count": 1.5}]) == [
        True,
        False,
        False,
    ]


def test_a_resource_by_id_still_works_and_bad_files_are_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "defs.json", {"$id": "https://example.com/defs.json", "minimum": 10})
    schema = write(tmp_path / "schema.json", {"$ref": "https://example.com/defs.json"})
    done = genspec("compile", schema, "-o", tmp_path / "v.py", "--resource", "defs.json",
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert verdicts(tmp_path / "v.py", [10, 9]) == [True, False]
    missing = genspec("compile", schema, "-o", tmp_path / "w.py", "--resource",
                      "https://example.com/defs.json=nope.json", cwd=tmp_path)  # fmt: skip
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_split_resource_tells_uris_from_paths() -> None:
    assert split_resource("http://x/a.json=b.json") == ("http://x/a.json", "b.json")
    assert split_resource("urn:example:a=b.json") == ("urn:example:a", "b.json")
    assert split_resource("dir/a=b.json") == (None, "dir/a=b.json")  # a file name with =
    assert split_resource("C:=b.json") == (None, "C:=b.json")  # a drive, not a scheme
    assert split_resource("plain.json") == (None, "plain.json")
