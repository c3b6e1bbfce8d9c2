"""Findings link to their rule in the rules reference, on a plain install too.

The CLI runs in a subprocess from a copy of the packages laid out as a wheel installs them
(pyproject.toml's package-dir, so genspec/_site holds generated/site): the json `url` and
the terminal hyperlink must name the copy's rules.html, and the anchor must exist there.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BODY = '{"prompt": "a cat", "ultra": true, "controlNet": true}\n'  # one error, one warning


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)


def anchors(page: Path) -> set[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


def page_of(url: str) -> tuple[Path, str]:
    parts = urlsplit(url)
    assert parts.scheme == "file", url
    return Path(unquote(parts.path)), unquote(parts.fragment)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages copied where a wheel puts them, read from pyproject.toml's package-dir."""
    target = tmp_path_factory.mktemp("site-packages")
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    data = setuptools["package-data"]
    assert "*.html" in data["genspec._site"]
    for package, folder in setuptools["package-dir"].items():
        destination = target.joinpath(*package.split("."))
        shutil.copytree(ROOT / folder, destination, dirs_exist_ok=True, symlinks=False)
    return target


def run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run(
        [sys.executable, "-m", "genspec", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_json_findings_link_to_an_anchor_of_the_installed_rules_page(
    installed: Path, tmp_path: Path
) -> None:
    (tmp_path / "body.json").write_text(BODY, encoding="utf-8")
    done = run(installed, tmp_path, "lint", "--format", "json", "body.json")
    assert done.returncode == 1, done.stderr
    records = json.loads(done.stdout)
    assert {r["rule"] for r in records} == {"ultra-requires-alchemy-off", "deprecated-field"}
    for record in records:
        page, fragment = page_of(record["url"])
        assert page == installed / "genspec" / "_site" / "rules.html"  # not the checkout's
        assert fragment == record["rule"] and fragment in anchors(page)


def test_rules_url_setting_names_a_published_base(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text(BODY, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.genspec]\nrules-url = "https://rules.test/genspec/rules.html"\n', encoding="utf-8"
    )
    done = run(installed, tmp_path, "lint", "--format", "jsonl", "body.json")
    urls = [json.loads(line)["url"] for line in done.stdout.splitlines()]
    assert urls == [
        "https://rules.test/genspec/rules.html#ultra-requires-alchemy-off",
        "https://rules.test/genspec/rules.html#deprecated-field",
    ]
    github = run(installed, tmp_path, "lint", "--format", "github", "body.json")
    assert "See https://rules.test/genspec/rules.html#deprecated-field" in github.stdout
    (tmp_path / "pyproject.toml").write_text("[tool.genspec]\nrules-url = 5\n", encoding="utf-8")
    bad = run(installed, tmp_path, "lint", "body.json")
    assert bad.returncode == 2 and "rules-url" in bad.stderr and "Traceback" not in bad.stderr


def read_terminal(installed: Path, cwd: Path, *args: str) -> str:
    """What the command writes to a terminal: its stdout is a pseudo-terminal."""
    try:
        leader, follower = pty.openpty()
    except OSError as exc:  # a container without /dev/ptmx
        pytest.skip(f"no pseudo-terminal here: {exc}")
    env = {**os.environ, "PYTHONPATH": str(installed)}
    process = subprocess.Popen(
        [sys.executable, "-m", "genspec", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env=env,
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower closed: the command ended
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        process.wait(timeout=60)
    return b"".join(chunks).decode("utf-8")


def test_text_rule_ids_are_hyperlinks_on_a_terminal_only(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text(BODY, encoding="utf-8")
    shown = read_terminal(installed, tmp_path, "lint", "body.json")
    links = re.findall(r"\x1b\]8;;([^\x1b]*)\x1b\\([^\x1b]*)\x1b\]8;;\x1b\\", shown)
    assert [text for _, text in links] == ["ultra-requires-alchemy-off", "deprecated-field"]
    for url, text in links:
        page, fragment = page_of(url)
        assert page == installed / "genspec" / "_site" / "rules.html"
        assert fragment == text and fragment in anchors(page)
    piped = run(installed, tmp_path, "lint", "body.json")
    assert "\x1b" not in piped.stdout  # pipes and CI logs stay plain
    assert "body.json:1:1: ultra-requires-alchemy-off [error] " in piped.stdout


def test_rule_command_prints_the_reference_and_its_link(installed: Path, tmp_path: Path) -> None:
    done = run(installed, tmp_path, "rule", "ultra-requires-alchemy-off")
    assert done.returncode == 0, done.stderr
    schema = json.loads((ROOT / "spec" / "generation-request.schema.json").read_text())
    rule = next(
        value
        for value in _x_rules(schema)
        if isinstance(value, dict) and value.get("id") == "ultra-requires-alchemy-off"
    )
    assert done.stdout.startswith(f"ultra-requires-alchemy-off (error, {rule['evidence']})\n")
    for field in ("message", "source", "reference"):
        assert rule[field] in done.stdout
    url = done.stdout.rstrip().splitlines()[-1].removeprefix("More: ")
    page, fragment = page_of(url)
    assert fragment in anchors(page)
    listing = run(installed, tmp_path, "rule")
    assert "deprecated-field [warning] " in listing.stdout
    assert "ultra-requires-alchemy-off [error] " in listing.stdout
    unknown = run(installed, tmp_path, "rule", "ultra-requires-alchemy-of")
    assert unknown.returncode == 2 and "ultra-requires-alchemy-off" in unknown.stderr


def _x_rules(value: object) -> list[object]:
    if isinstance(value, dict):
        found = [value["x-rule"]] if "x-rule" in value else []
        return found + [rule for child in value.values() for rule in _x_rules(child)]
    if isinstance(value, list):
        return [rule for child in value for rule in _x_rules(child)]
    return []
