"""The command line's modules import one another in one direction (issue 19, part 7): what the
commands share (cli/common.py) sits below every command module, the command modules never import
one another, and cli/main.py assembles them for `disagreement` and `python starter.py` alike."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from cli.main import app
from tests.cli_helpers import PROJECT_ROOT

CLI = PROJECT_ROOT / "cli"
COMMAND_MODULES = {"cli.app", "cli.records", "cli.login"}


def cli_imports(path: Path) -> set[str]:
    """The cli modules a module imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from cli import records`
    return {name for name in found if name.startswith("cli.") and (CLI / f"{name[4:]}.py").exists()}


def import_graph() -> dict[str, set[str]]:
    return {f"cli.{path.stem}": cli_imports(path) for path in CLI.glob("*.py")}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, path = [], []

    def walk(module: str) -> None:
        if module in path:
            found.append(path[path.index(module):] + [module])
            return
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            walk(imported)
        path.pop()

    for module in sorted(graph):
        walk(module)
    return found


def test_no_cli_module_imports_itself_back_through_another() -> None:
    assert circles(import_graph()) == []


def test_the_shared_plumbing_is_below_every_command_module() -> None:
    graph = import_graph()
    assert COMMAND_MODULES <= graph["cli.main"]
    for module in COMMAND_MODULES:
        assert "cli.common" in graph[module], module
        assert not (graph[module] & (COMMAND_MODULES | {"cli.main"})), (module, graph[module])


def test_the_program_lists_every_command_the_assembled_app_has() -> None:
    shown = subprocess.run(
        [sys.executable, "starter.py", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert shown.returncode == 0, shown.stderr
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        assert f" {name} " in shown.stdout, name
