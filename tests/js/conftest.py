"""The JS target under test: compile schemas to .mjs files, run them in one node process.

`node_validator` is a session-wide bridge to tests/js/harness.mjs: every instance of every
test goes through the same process (hypothesis examples included), one JSON line each way.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genspec.compiler_js import compile_schema_js

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")


def pointer(parts: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


class NodeValidators:
    """Compiles schemas into a folder and asks one node process about instances."""

    def __init__(self, folder: Path) -> None:
        assert NODE is not None
        self.folder = folder
        self.process = subprocess.Popen(
            [NODE, str(HERE / "harness.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def compile(self, schema: Any, **options: Any) -> Path:
        source = compile_schema_js(schema, **options)
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        path = self.folder / f"v{digest}.mjs"
        if not path.exists():
            path.write_text(source, encoding="utf-8")
        return path

    def run(self, module: Path, instance: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = json.dumps({"module": str(module), "instance": instance}, allow_nan=False)
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        reply: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert "error" not in reply, reply["error"]
        return reply

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def node_validators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeValidators]:
    if NODE is None:
        pytest.skip("node is not installed")
    bridge = NodeValidators(tmp_path_factory.mktemp("js-validators"))
    yield bridge
    bridge.close()
