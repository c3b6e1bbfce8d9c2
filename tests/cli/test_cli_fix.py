"""`genspec lint --fix / --diff / --unsafe-fixes` run as a real subprocess on real files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

MISTAKES = (
    "{\n"
    '  "prompt": "Café 🐈 au lait", "numImages": 2,\n'
    '  "ultra": true,\n'
    '  "width": 1024,\n'
    '  "controlNet": true\n'
    "}\n"
)


def genspec(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "genspec", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def rules(path: Path, cwd: Path) -> list[str]:
    done = genspec("lint", "--isolated", "--format", "json", str(path), cwd=cwd)
    return sorted(d["rule"] for d in json.loads(done.stdout))


def test_diff_previews_the_safe_fixes_and_writes_nothing(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(MISTAKES, encoding="utf-8")
    before = body.stat()
    done = genspec("lint", "--isolated", "--diff", "body.json", cwd=tmp_path)
    assert done.returncode == 1
    assert body.read_text(encoding="utf-8") == MISTAKES
    assert body.stat().st_mtime_ns == before.st_mtime_ns
    removed = [x for x in done.stdout.splitlines() if x.startswith("-") and not x.startswith("---")]
    added = [x for x in done.stdout.splitlines() if x.startswith("+") and not x.startswith("+++")]
    assert done.stdout.startswith("--- a/body.json\n+++ b/body.json\n")
    assert removed == ['-  "prompt": "Café 🐈 au lait", "numImages": 2,', '-  "width": 1024,']
    assert added == ['+  "prompt": "Café 🐈 au lait", "num_images": 2,']
    # ultra's alchemy and the deprecated field change the request: not in the safe set
    assert "alchemy" not in done.stdout and "controlNet" not in "".join(removed)


def test_diff_on_a_file_without_fixes_exits_0_silently(tmp_path: Path) -> None:
    (tmp_path / "clean.json").write_text('{"prompt": "a cat"}\n', encoding="utf-8")
    done = genspec("lint", "--isolated", "--diff", "clean.json", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")


def test_fix_writes_the_safe_fixes_then_reports_what_is_left(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(MISTAKES, encoding="utf-8")
    body.chmod(0o640)
    assert "schema-additional-properties" in rules(body, tmp_path)
    done = genspec("lint", "--isolated", "--fix", "body.json", cwd=tmp_path)
    fixed = body.read_text(encoding="utf-8")
    value = json.loads(fixed)
    assert value["num_images"] == 2 and "numImages" not in value and "width" not in value
    assert value["prompt"] == "Café 🐈 au lait" and value["controlNet"] is True
    assert fixed.endswith("}\n")
    assert stat.S_IMODE(body.stat().st_mode) == 0o640  # replaced atomically, mode kept
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    # what remains is reported exactly as a plain lint run reports it
    left = rules(body, tmp_path)
    assert left == ["deprecated-field", "ultra-requires-alchemy-off"]
    assert done.returncode == 1
    assert "ultra-requires-alchemy-off" in done.stdout and "deprecated-field" in done.stdout
    assert "numImages" not in done.stdout


def test_unsafe_fixes_turn_alchemy_off_for_ultra_and_drop_deprecated_fields(
    tmp_path: Path,
) -> None:
    body = tmp_path / "body.json"
    body.write_text(MISTAKES, encoding="utf-8")
    genspec("lint", "--isolated", "--fix", "--unsafe-fixes", "body.json", cwd=tmp_path)
    value = json.loads(body.read_text(encoding="utf-8"))
    assert value["ultra"] is True and value["alchemy"] is False
    assert "controlNet" not in value
    left = rules(body, tmp_path)
    assert "ultra-requires-alchemy-off" not in left and "deprecated-field" not in left


@pytest.mark.parametrize(
    "body",
    [
        '{"width": 1024, "prompt": "a"}',
        '{"prompt": "a", "width": 1024}',
        '{"prompt": "a", "width": 1024, "height": 512}',
        '{\n  "prompt": "a",\n  "width": 1024\n}\n',
        '{\n  "width" : 1024 ,\n  "prompt": "a"\n}\n',
    ],
)
def test_removing_a_member_anywhere_keeps_valid_json(tmp_path: Path, body: str) -> None:
    path = tmp_path / "body.json"
    path.write_text(body, encoding="utf-8")
    genspec("lint", "--isolated", "--fix", "body.json", cwd=tmp_path)
    expected = {k: v for k, v in json.loads(body).items() if k != "width"}
    assert json.loads(path.read_text(encoding="utf-8")) == expected


def test_fix_in_json_lines_fixes_each_line_and_keeps_the_others(tmp_path: Path) -> None:
    lines = [
        '{"prompt": "a"}',
        '{"prompt": "é", "numImages": 2}',
        "",
        "not json at all",
        '{"prompt": "b", "width": 1024, "height": 512}',
    ]
    path = tmp_path / "bodies.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    genspec("lint", "--isolated", "--fix", "bodies.jsonl", cwd=tmp_path)
    fixed = path.read_text(encoding="utf-8").split("\n")
    assert fixed[0] == lines[0] and fixed[2] == "" and fixed[3] == lines[3]
    assert json.loads(fixed[1]) == {"prompt": "é", "num_images": 2}
    assert json.loads(fixed[4]) == {"prompt": "b", "height": 512}


def test_fix_follows_select(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(MISTAKES, encoding="utf-8")
    genspec("lint", "--isolated", "--fix", "--select", "default-value", "body.json", cwd=tmp_path)
    value = json.loads(body.read_text(encoding="utf-8"))
    assert "width" not in value and "numImages" in value


def test_fix_refuses_standard_input_and_diff_with_fix(tmp_path: Path) -> None:
    done = genspec("lint", "--isolated", "--fix", "-", cwd=tmp_path)
    assert done.returncode == 2 and "standard input" in done.stderr
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    done = genspec("lint", "--isolated", "--fix", "--diff", "a.json", cwd=tmp_path)
    assert done.returncode == 2
    done = genspec("validate", "--fix", "a.json", cwd=tmp_path)
    assert done.returncode == 2  # fixing is lint's: validate is the CI gate


def test_fix_drops_earlier_copies_of_a_repeated_key_keeping_what_the_api_reads(
    tmp_path: Path,
) -> None:
    text = '{"width": 512, "prompt": "a", "width": 640,\n "height": 512, "width": 768}\n'
    path = tmp_path / "body.json"
    path.write_text(text, encoding="utf-8")
    assert "duplicate-key" in rules(path, tmp_path)
    genspec("lint", "--isolated", "--fix", "body.json", cwd=tmp_path)
    fixed = path.read_text(encoding="utf-8")
    assert fixed.count('"width"') == 1
    assert json.loads(fixed) == json.loads(text)  # Python, like the API, keeps the last
    assert "duplicate-key" not in rules(path, tmp_path)


def test_fix_drops_a_field_whose_switch_is_off(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text('{"prompt": "a", "photoRealStrength": 0.5}\n', encoding="utf-8")
    assert rules(path, tmp_path) == ["no-effect"]
    done = genspec("lint", "--isolated", "--fix", "body.json", cwd=tmp_path)
    assert done.returncode == 0
    assert json.loads(path.read_text(encoding="utf-8")) == {"prompt": "a"}


def test_a_file_that_cannot_be_written_is_reported_and_left_whole(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(MISTAKES, encoding="utf-8")
    # the disk refuses the write (as a read-only folder would for a normal user)
    refuse = (
        "import genspec.jsonio as j\n"
        "def refuse(*a, **k): raise PermissionError(13, 'Permission denied')\n"
        "j.write_atomic = refuse\n"
        "from genspec.cli import main\n"
        "raise SystemExit(main(['lint', '--isolated', '--fix', 'body.json']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", refuse], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "body.json: cannot write: Permission denied" in done.stderr
    assert path.read_text(encoding="utf-8") == MISTAKES
