"""genspec.spark on a real local-mode Spark session: the same findings as the CLI's json output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("no java on PATH: Spark needs Java 17", allow_module_level=True)

from genspec.spark import FINDING_FIELDS, check_column, check_json_lines  # noqa: E402

# A JVM start and a few Spark jobs: seconds on a quiet machine, minutes on a loaded one.
pytestmark = pytest.mark.timeout(1800)

BODIES = [
    {"prompt": "A lighthouse at dusk"},
    {"prompt": 5},
    {"prompt": "a cat", "numImages": 2},
    {"prompt": "a cat", "num_images": 99, "width": 1000},
    {"prompt": "a cat", "num_images": 4},  # a default-value warning: lint only
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("genspec-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def cli_records(command: str, path: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "genspec", command, "--format", "json", "--quiet", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    # a row has the finding's fields; the json record adds its rule's link (`url`)
    return [{k: r[k] for k in FINDING_FIELDS} for r in json.loads(done.stdout)]


def rows(df: Any) -> list[dict[str, Any]]:
    assert tuple(df.columns) == FINDING_FIELDS
    return sorted(
        (row.asDict() for row in df.collect()), key=lambda r: (r["line"], r["column"], r["rule"])
    )


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_json_lines_files_give_the_cli_findings(spark: Any, tmp_path: Path, command: str) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps(b) for b in BODIES] + ["not json", ""] + [json.dumps(b) for b in BODIES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = cli_records(command, path)
    found = rows(check_json_lines(spark, [str(path)], lint=command == "lint"))
    for record in found:
        record["path"] = Path(record["path"]).name
    assert found == expected
    assert any(r["rule"] == "invalid-json" and r["line"] == len(BODIES) + 1 for r in found)


def test_a_string_column_is_checked_body_by_body(spark: Any, tmp_path: Path) -> None:
    frame = spark.createDataFrame(
        [(f"req-{n}", json.dumps(b, indent=2)) for n, b in enumerate(BODIES)] + [("req-x", None)],
        "id string, body string",
    )
    found = check_column(frame, "body", path_column="id", ignore=["schema-multiple-of"])
    by_request: dict[str, list[dict[str, Any]]] = {}
    for row in found.collect():
        by_request.setdefault(row["path"], []).append(row.asDict())
    assert set(by_request) == {"req-1", "req-2", "req-3"}  # req-x: null, no body
    for n in (1, 2, 3):  # the same records as the CLI on the same text in a file
        body_file = tmp_path / f"req-{n}.json"
        body_file.write_text(json.dumps(BODIES[n], indent=2), encoding="utf-8")
        expected = [
            {**r, "path": f"req-{n}"}
            for r in cli_records("validate", body_file)
            if r["rule"] != "schema-multiple-of"
        ]
        key = lambda r: (r["line"], r["column"], r["rule"])  # noqa: E731
        assert sorted(by_request[f"req-{n}"], key=key) == sorted(expected, key=key)
