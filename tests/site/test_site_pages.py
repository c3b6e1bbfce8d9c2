"""generated/site/ without a browser: escaping, anchors, offline, and the examples it shows.

The rules page's passing and failing examples are checked with `genspec lint` in a subprocess:
a failing example must report its rule, a passing one must not.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from genspec.site import classic_script, inline_script, render_site, script_json
from genspec.spec import REQUEST_SCHEMA, RESPONSE_SCHEMA, iter_rules

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"
SITE = ROOT / "generated" / "site"


def _load(name: str) -> Any:
    return json.loads((SPEC / name).read_text(encoding="utf-8"))


class _Sections(HTMLParser):
    """Each rules.html section's id and the example files it names, each with its heading
    ("Passes", or "Fails"/"Warned" for the example that breaks the rule)."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[tuple[str, str]]] = {}
        self.current: str | None = None
        self.heading = ""
        self.in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.current = dict(attrs)["id"]
            self.sections[str(self.current)] = []
        if tag == "h3":
            self.heading = ""
        self.in_code = tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self.in_code = False

    def handle_data(self, data: str) -> None:
        if not self.heading and data.strip():
            self.heading = data.strip().split(":")[0]
        pattern = r"(valid|invalid|official)/[\w.-]+\.json"
        if self.in_code and self.current and re.fullmatch(pattern, data):
            self.sections[self.current].append((self.heading, data))


def _sections() -> dict[str, list[tuple[str, str]]]:
    parser = _Sections()
    parser.feed((SITE / "rules.html").read_text(encoding="utf-8"))
    return parser.sections


def test_script_json_cannot_end_the_script() -> None:
    value = {"m": "</script><script>alert(1)</script> <!-- \u2028\u2029 & '"}
    text = str(script_json(value))
    for bad in ("</", "<!--", "\u2028", "\u2029", "&"):
        assert bad not in text
    assert json.loads(text) == value
    assert "</script" not in str(inline_script('const s = "</SCRIPT>";')).lower()


def test_classic_script_refuses_module_syntax_it_cannot_inline() -> None:
    assert "const m = (() => {" in classic_script("export const a = 1;\n", ("a",), "m")
    with pytest.raises(ValueError, match="module syntax"):
        classic_script('import { x } from "./x.mjs";\nexport const a = x;\n', ("a",), "m")


def test_hostile_rule_text_is_escaped(tmp_path: Path) -> None:
    request = _load(REQUEST_SCHEMA)
    hostile = '</script><img src=x onerror="alert(1)">\u2028'
    request["x-advice"][0]["x-rule"]["message"] = hostile
    pages = render_site(request, _load(RESPONSE_SCHEMA), SPEC)
    for page in pages.values():
        # Scripts end only where the page ends them, and no markup gets in outside them.
        assert page.lower().count("<script") == page.lower().count("</script>")
        outside = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL | re.IGNORECASE)
        assert "<img src=x" not in outside
    assert "&lt;/script&gt;&lt;img src=x onerror=" in pages["site/rules.html"]


def test_every_rule_has_an_anchor() -> None:
    ids = {rule.id for rule in iter_rules(_load(REQUEST_SCHEMA))}
    assert ids
    assert ids <= set(_sections())


def test_pages_load_nothing_from_anywhere() -> None:
    for name in ("index.html", "rules.html"):
        text = (SITE / name).read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", text), name
        styles = "".join(re.findall(r"<style>(.*?)</style>", text, flags=re.DOTALL))
        assert styles and "@import" not in styles and "url(" not in styles


def test_site_is_deterministic() -> None:
    pages = render_site(_load(REQUEST_SCHEMA), _load(RESPONSE_SCHEMA), SPEC)
    for path, text in pages.items():
        assert (ROOT / "generated" / path).read_text(encoding="utf-8") == text


def _lint_rules(paths: list[Path]) -> dict[str, set[str]]:
    """The rule ids `genspec lint` reports, by file (one subprocess for all of them)."""
    done = subprocess.run(
        [sys.executable, "-m", "genspec", "lint", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    reported: dict[str, set[str]] = {str(path): set() for path in paths}
    for finding in json.loads(done.stdout):
        reported[finding["path"]].add(finding["rule"])
    return reported


def test_examples_shown_pass_and_fail_their_rule() -> None:
    rule_ids = {rule.id for rule in iter_rules(_load(REQUEST_SCHEMA))}
    shown = [
        (rule_id, heading, SPEC / "examples" / name)
        for rule_id, files in _sections().items()
        if rule_id in rule_ids
        for heading, name in files
    ]
    reported = _lint_rules(sorted({path for _, _, path in shown}))
    for rule_id, heading, path in shown:
        if heading == "Passes":
            assert rule_id not in reported[str(path)], (rule_id, path.name)
        else:
            assert rule_id in reported[str(path)], (rule_id, heading, path.name)
    assert len(shown) >= len(rule_ids)
