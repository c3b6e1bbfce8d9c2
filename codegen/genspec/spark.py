"""Check request bodies on Apache Spark: the CLI's checks inside `mapPartitions`, on every executor.

    from genspec.spark import check_column, check_json_lines

    findings = check_column(requests_df, "body", path_column="request_id")
    findings = check_json_lines(spark, ["logs/2026-12-01.jsonl", "logs/2026-12-02.jsonl"])
    findings.filter("severity = 'error'").groupBy("rule").count().show()

Both return a DataFrame with the fields of `genspec validate --format json` (`path`, `line`,
`column`, `rule`, `severity`, `message`, `instance_path`), one row a finding, computed by the same
code as the CLI (the compiled validator, the same placement, the same rule ids), so a finding
reads the same on a laptop and on a cluster. Each Python worker builds its engine once and keeps
it. pyspark is not a dependency of genspec: install it (`pip install 'genspec[spark]'`) where
Spark runs; the executors need genspec installed too.

Limits, by Spark's design: `spark.read.text` decodes lines as UTF-8 with replacement, so
`invalid-encoding` cannot be told from the text and is reported by the CLI only; a null in the
column is no body and is skipped (an empty string is an empty document, as an empty .json
file is).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FINDING_FIELDS = ("path", "line", "column", "rule", "severity", "message", "instance_path")


def findings_schema() -> Any:
    """The Spark schema of a findings DataFrame (the CLI json record, field for field)."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    return StructType(
        [
            StructField("path", StringType(), False),
            StructField("line", LongType(), False),
            StructField("column", LongType(), False),
            StructField("rule", StringType(), False),
            StructField("severity", StringType(), False),
            StructField("message", StringType(), False),
            StructField("instance_path", StringType(), False),
        ]
    )


def _checker(
    lint: bool, select: Sequence[str] | None, ignore: Sequence[str], schema_file: str | None
) -> _Checker:
    """A picklable function (path, line number, text) -> finding tuples, for the executors."""
    from genspec.check import EngineSpec, Selection, _compiled_source

    selection = Selection(lint, tuple(select) if select is not None else None, tuple(ignore))
    spec = EngineSpec(
        schema_file, _compiled_source(schema_file), 0.0
    )  # no timer signals on executors
    return _Checker(spec, selection)


class _Checker:
    def __init__(self, spec: Any, selection: Any) -> None:
        self.spec, self.selection = spec, selection

    def rows(
        self, items: Iterable[tuple[str, int, str | None]], *, lines: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        """Finding tuples for (path, line number, text) items; with `lines`, a blank text is
        a blank line of JSON Lines (no body, as the CLI skips it), else an empty document."""
        from genspec import check

        if check._STATE.get("selection") != self.selection or "engine" not in check._STATE:
            check._install(self.spec, self.selection)
        engine, selection = check._STATE["engine"], self.selection
        checker = check.BodyChecker(engine, selection.wanted, lint=selection.lint)
        for path, number, text in items:
            if text is None or (lines and not text.strip()):
                continue
            raw = text.encode("utf-8", "surrogatepass")
            found = checker.line(path, raw, number)
            for d in found:
                # str(): a Severity enum member would not unpickle on the JVM side
                yield (
                    d.path,
                    d.line,
                    d.col,
                    d.rule_id,
                    str(d.severity),
                    d.message,
                    d.instance_path,
                )


def check_column(
    df: Any,
    column: str,
    *,
    path_column: str | None = None,
    lint: bool = False,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    schema_file: str | None = None,
) -> Any:
    """Findings for a column of JSON strings, one body each (lines count from 1 in each body).

    `path` is the value of `path_column` (a request id, say), else the column's name.
    `lint=True` adds warnings, as `genspec lint`; select/ignore as on the command line.
    """
    from pyspark.sql import functions

    checker = _checker(lint, select, ignore, schema_file)
    path = functions.col(path_column).cast("string") if path_column else functions.lit(column)
    pairs = df.select(path.alias("path"), functions.col(column).cast("string").alias("body"))

    def partition(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
        return checker.rows((row[0], 1, row[1]) for row in rows)

    return df.sparkSession.createDataFrame(pairs.rdd.mapPartitions(partition), findings_schema())


def check_json_lines(
    spark: Any,
    paths: Sequence[str],
    *,
    lint: bool = False,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    schema_file: str | None = None,
) -> Any:
    """Findings for JSON Lines files (one body a line), numbered as the CLI numbers them.

    Each path is one file (its name is the rows' `path`); Spark splits big files across tasks,
    and `zipWithIndex` keeps every line's number.
    """
    if not paths:
        raise ValueError("check_json_lines needs at least one path")
    checker = _checker(lint, select, ignore, schema_file)
    parts = []
    for path in paths:
        lines = spark.read.text(path).rdd.map(lambda row: row[0]).zipWithIndex()

        def partition(
            rows: Iterable[tuple[str, int]], name: str = path
        ) -> Iterator[tuple[Any, ...]]:
            return checker.rows(((name, index + 1, text) for text, index in rows), lines=True)

        parts.append(lines.mapPartitions(partition))
    rdd = parts[0] if len(parts) == 1 else spark.sparkContext.union(parts)
    return spark.createDataFrame(rdd, findings_schema())
