"""`genspec drift`: the spec against OpenAPI documents of Leonardo's API built here from the
reference facts (nothing fetched). The base fixture is the 2026-05 document, which the spec
matches; each case replays a historical change of the API (or one of each kind of change) as a
spec from before it, or a document after it, and expects exactly that change reported."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from regen_helpers import OPENAPI_2026_05, SPEC, genspec

RESPONSE = "generation-response.schema.json"
REQUEST = "generation-request.schema.json"
BODY = "/paths/~1generations/post/requestBody/content/application~1json/schema"
REPLY = "/paths/~1generations/post/responses/200/content/application~1json/schema"

Edit = Callable[[dict[str, Any]], None]


def base_openapi() -> dict[str, Any]:
    return dict(json.loads(OPENAPI_2026_05.read_text(encoding="utf-8")))


def _props(document: dict[str, Any]) -> Any:
    post = document["paths"]["/generations"]["post"]
    return post["requestBody"]["content"]["application/json"]["schema"]["properties"]


def _reply(document: dict[str, Any]) -> Any:
    return document["paths"]["/generations"]["post"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]


def drop_enum_values(name: str, *values: str) -> Edit:
    def edit(schema: dict[str, Any]) -> None:
        schema["properties"][name]["enum"] = [
            v for v in schema["properties"][name]["enum"] if v not in values
        ]

    return edit


def drop_members(*names: str) -> Edit:
    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            del schema["properties"][name]

    return edit


def element_akuuid_optional(schema: dict[str, Any]) -> None:
    del schema["$defs"]["elementInput"]["required"]


def guidance_scale_integer(schema: dict[str, Any]) -> None:
    schema["properties"]["guidance_scale"]["type"] = ["integer", "null"]


def no_cost_in_response(response: dict[str, Any]) -> None:
    del response["properties"]["sdGenerationJob"]["properties"]["cost"]


def member(name: str, root: str = BODY) -> str:
    return f"{root}/properties/{name}"


# (case, edit of the request spec, edit of the response spec, edit of the document, expected)
HISTORY: list[tuple[str, Edit | None, Edit | None, Edit | None, set[tuple[str, str]]]] = [
    ("ultra 2024-09", drop_members("ultra"), None, None,
     {("drift-member-added", member("ultra"))}),
    ("PHOENIX 2024-10", drop_enum_values("sd_version", "PHOENIX"), None, None,
     {("drift-enum", member("sd_version"))}),
    ("enhancePrompt 2024-12", drop_members("enhancePrompt", "enhancePromptInstruction"), None,
     None, {("drift-member-added", member("enhancePrompt")),
            ("drift-member-added", member("enhancePromptInstruction"))}),
    ("userElements 2024-12", drop_members("userElements"), None, None,
     {("drift-member-added", member("userElements"))}),
    ("FLUX 2025-01", drop_enum_values("sd_version", "FLUX", "FLUX_DEV"), None, None,
     {("drift-enum", member("sd_version"))}),
    ("contrast 2025-03", drop_members("contrast"), None, None,
     {("drift-member-added", member("contrast"))}),
    ("KINO_2_0 2025-05", drop_enum_values("sd_version", "KINO_2_0"), None, None,
     {("drift-enum", member("sd_version"))}),
    ("akUUID required 2025-06", element_akuuid_optional, None, None,
     {("drift-required", f"{member('elements')}/items/required")}),
    ("guidance_scale integer to number 2026-01", guidance_scale_integer, None, None,
     {("drift-type", member("guidance_scale"))}),
    ("cost in the response 2026-02", None, no_cost_in_response, None,
     {("drift-member-added", f"{member('sdGenerationJob', REPLY)}/properties/cost")}),
    # One of each remaining kind, as changes of the document.
    ("a member removed", None, None, lambda d: _props(d).pop("tiling"),
     {("drift-member-removed", member("tiling"))}),
    ("nullability", None, None, lambda d: _props(d)["scheduler"].update(nullable=True),
     {("drift-nullable", member("scheduler"))}),
    ("a default", None, None, lambda d: _props(d)["width"].update(default=512),
     {("drift-default", member("width"))}),
    ("a range", None, None, lambda d: _props(d)["contrast"].update(maximum=5),
     {("drift-range", member("contrast"))}),
    ("a response type", None, None,
     lambda d: _reply(d)["properties"]["sdGenerationJob"]["properties"]["apiCreditCost"].update(
         type="number"),
     {("drift-type", f"{member('sdGenerationJob', REPLY)}/properties/apiCreditCost")}),
]  # fmt: skip


def spec_copy(folder: Path, request: Edit | None, response: Edit | None) -> Path:
    folder.mkdir()
    for name, edit in ((REQUEST, request), (RESPONSE, response)):
        schema = json.loads((SPEC / name).read_text(encoding="utf-8"))
        if edit is not None:
            edit(schema)
        (folder / name).write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return folder


def drift_json(tmp_path: Path, document: dict[str, Any], *spec: str) -> tuple[int, list[Any]]:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    done = genspec("drift", path, "--format", "json", *spec, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_the_spec_matches_the_2026_05_document(tmp_path: Path) -> None:
    done = genspec("drift", OPENAPI_2026_05, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("no drift")


@pytest.mark.parametrize(
    ("request_edit", "response_edit", "document_edit", "expected"),
    [case[1:] for case in HISTORY],
    ids=[case[0] for case in HISTORY],
)
def test_each_historical_change_is_reported(
    tmp_path: Path,
    request_edit: Edit | None,
    response_edit: Edit | None,
    document_edit: Edit | None,
    expected: set[tuple[str, str]],
) -> None:
    spec = spec_copy(tmp_path / "spec", request_edit, response_edit)
    document = copy.deepcopy(base_openapi())
    if document_edit is not None:
        document_edit(document)
    code, found = drift_json(tmp_path, document, "--spec", str(spec))
    assert code == 1
    assert {(d["rule"], d["instance_path"]) for d in found} == expected
    assert all(d["severity"] == "error" and d["line"] >= 1 for d in found)


def added_field_and_enum_value(document: dict[str, Any]) -> None:
    _props(document)["motionStrength"] = {"type": "number", "nullable": True}
    _props(document)["sd_version"]["enum"].append("KINO_3_0")


def test_a_new_field_and_enum_value_are_both_reported_in_every_format(tmp_path: Path) -> None:
    document = base_openapi()
    added_field_and_enum_value(document)
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")

    text = genspec("drift", path, cwd=tmp_path)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert len(lines) == 3 and lines[-1].startswith("Found 2 difference(s)")
    added = next(line for line in lines if "drift-member-added" in line)
    enum = next(line for line in lines if "drift-enum" in line)
    assert "motionStrength" in added and f"(at {member('motionStrength')})" in added
    assert 'added ["KINO_3_0"]' in enum and f"(at {member('sd_version')})" in enum
    # The line:col is where the member sits in the document.
    line_number = int(added.split(":")[1])
    assert '"motionStrength"' in path.read_text().splitlines()[line_number - 1]

    sarif = json.loads(genspec("drift", path, "--format", "sarif", cwd=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["drift-enum", "drift-member-added"]
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules == {"drift-enum", "drift-member-added"}
    github = genspec("drift", path, "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert len(github) == 2 and all(line.startswith("::error file=") for line in github)


def test_yaml_documents_read_the_same(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    document = base_openapi()
    added_field_and_enum_value(document)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    done = genspec("drift", path, "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert sorted(d["rule"] for d in json.loads(done.stdout)) == [
        "drift-enum",
        "drift-member-added",
    ]


def test_drift_reads_the_configured_spec(tmp_path: Path) -> None:
    def with_motion_strength(schema: dict[str, Any]) -> None:
        schema["properties"]["motionStrength"] = {"type": ["number", "null"]}
        schema["properties"]["sd_version"]["enum"].append("KINO_3_0")

    spec_copy(tmp_path / "myspec", with_motion_strength, None)
    (tmp_path / "pyproject.toml").write_text('[tool.genspec]\nspec = "myspec"\n')
    document = base_openapi()
    added_field_and_enum_value(document)
    assert drift_json(tmp_path, document) == (0, [])
    assert drift_json(tmp_path, document, "--isolated")[0] == 1


@pytest.mark.parametrize(
    ("argument", "content", "message"),
    [
        ("https://cloud.leonardo.ai/openapi.json", None, "local file"),
        ("missing.json", None, "cannot read"),
        ("broken.json", '{"openapi": ', "broken.json:1:"),
        ("other.json", '{"openapi": "3.0.1", "paths": {}}', "no POST /generations"),
        ("list.json", "[]", "not an OpenAPI document"),
    ],
)
def test_unusable_input_is_exit_2_in_one_line(
    tmp_path: Path, argument: str, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / argument).write_text(content)
    done = genspec("drift", argument, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr


def test_x_openapi_records_keep_a_deliberate_departure_quiet_until_the_document_moves(
    tmp_path: Path,
) -> None:
    def tolerant_scheduler(schema: dict[str, Any]) -> None:
        scheduler = schema["properties"]["scheduler"]
        scheduler["type"] = ["string", "null"]
        scheduler["enum"] = [*scheduler["enum"], None]
        scheduler.pop("x-openapi-nullable", None)  # the departure, not yet recorded

    def recorded(schema: dict[str, Any]) -> None:
        tolerant_scheduler(schema)
        schema["properties"]["scheduler"]["x-openapi-nullable"] = False

    departed = spec_copy(tmp_path / "departed", tolerant_scheduler, None)
    code, found = drift_json(tmp_path, base_openapi(), "--spec", str(departed))
    assert code == 1 and [d["rule"] for d in found] == ["drift-nullable"]

    kept = spec_copy(tmp_path / "kept", recorded, None)
    assert drift_json(tmp_path, base_openapi(), "--spec", str(kept)) == (0, [])
    moved = base_openapi()
    _props(moved)["scheduler"]["nullable"] = True  # now the document agrees with the spec
    code, found = drift_json(tmp_path, moved, "--spec", str(kept))
    assert code == 1 and [d["instance_path"] for d in found] == [member("scheduler")]
