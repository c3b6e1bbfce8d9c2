"""The README's "In your editor" snippets work as written: the command they start is a language
server that answers `initialize`, and `genspec schema --path` names the published schema."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def editor_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## In your editor")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def documented_commands() -> list[list[str]]:
    """The server commands of the Neovim and VS Code snippets, read from the README."""
    section = editor_section()
    (lua,) = re.findall(r"```lua\n(.*?)```", section, re.S)
    neovim = re.findall(r'"([^"]+)"', re.search(r"cmd = \{([^}]*)\}", lua).group(1))  # type: ignore[union-attr]
    vscode = next(
        json.loads(block)
        for block in re.findall(r"```json\n(.*?)```", section, re.S)
        if "glspc.server.command" in block
    )
    return [neovim, [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]]]


def frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: object) -> dict[str, object]:
    length = 0
    while True:
        line = stream.readline()  # type: ignore[attr-defined]
        assert line, "the server closed its output"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    message: dict[str, object] = json.loads(stream.read(length))  # type: ignore[attr-defined]
    return message


def test_the_documented_command_starts_the_server_and_answers_initialize(tmp_path: Path) -> None:
    commands = documented_commands()
    assert commands[0] == commands[1] == ["genspec", "server"]
    env = dict(os.environ)
    # `genspec` as an installed console script: the one next to this interpreter
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    process = subprocess.Popen(
        commands[0],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}},
        }
        process.stdin.write(frame(initialize))
        process.stdin.flush()
        reply = read_message(process.stdout)
        while "id" not in reply:  # a notification (log message) may come first
            reply = read_message(process.stdout)
        assert reply["id"] == 1
        result = reply["result"]
        assert isinstance(result, dict)
        assert result["serverInfo"]["name"] == "genspec"
        capabilities = result["capabilities"]
        assert capabilities["hoverProvider"]
        assert capabilities["completionProvider"]
        assert capabilities["codeActionProvider"]
        for message in (
            {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
            {"jsonrpc": "2.0", "method": "exit"},
        ):
            process.stdin.write(frame(message))
            process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_schema_path_names_the_published_schema_with_its_id(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "genspec", "schema"]
    done = subprocess.run(
        [*base, "--path"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    schema = json.loads(path.read_text(encoding="utf-8"))
    # a URN names the schema without claiming a web domain nobody here owns
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", schema["$id"])
    assert schema["$id"] in editor_section()
    assert schema == json.loads((ROOT / "spec" / "generation-request.schema.json").read_text())
    printed = subprocess.run(base, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert json.loads(printed.stdout) == schema
    missing = subprocess.run(
        [*base, "--path", "--spec", "nowhere"], capture_output=True, text=True, cwd=tmp_path
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_a_bad_setting_is_shown_and_the_server_keeps_checking(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.genspec]\ninclude = 5\n", encoding="utf-8")
    body = tmp_path / "body.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "genspec", "server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        opened = {
            "textDocument": {
                "uri": body.as_uri(),
                "languageId": "json",
                "version": 1,
                "text": '{"prompt": "a", "numImages": 2}',
            }
        }
        for message in (
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}},
            },
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": opened},
        ):
            process.stdin.write(frame(message))
        process.stdin.flush()
        shown, published = [], None
        while published is None:
            message = read_message(process.stdout)
            if message.get("method") == "window/showMessage":
                shown.append(message["params"]["message"])  # type: ignore[index]
            elif message.get("method") == "textDocument/publishDiagnostics":
                published = message["params"]
        assert any("include must be a list of globs" in text for text in shown), shown
        codes = [d["code"] for d in published["diagnostics"]]  # type: ignore[index]
        assert codes == ["schema-additional-properties"]
    finally:
        process.kill()
        process.wait()
