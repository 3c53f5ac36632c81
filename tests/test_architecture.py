"""The layers hold: no import circle, storage below services below handlers, one assembly."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")
# The entry points that start the bot (with run_bot.py) and the layers above services.
ENTRY_POINTS = ("bot.cli", "bot.console")
UPPER = ("bot.app", "bot.context")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, name: str, known: set[str], *, for_types: bool = False) -> set[str]:
    """The project modules `name` imports when it runs (not under `if TYPE_CHECKING:`), or
    with `for_types` also those it imports for type checking only."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node) and not for_types:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    """Every project module and the project modules it imports at run time."""
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_no_module_takes_part_in_an_import_circle() -> None:
    assert import_cycles(import_graph()) == []


def test_storage_modules_import_no_circle_even_for_type_checking() -> None:
    modules = {name: path for name, path in _modules().items() if name.startswith("storage")}
    known = set(modules)
    graph = {name: _imports(path, name, known, for_types=True) for name, path in modules.items()}
    assert import_cycles(graph) == []


def test_the_cycle_finder_sees_a_circle() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_entry_points_import_the_assembly() -> None:
    graph = import_graph()
    importers = sorted(name for name, targets in graph.items() if "bot.app" in targets)
    assert importers == sorted(ENTRY_POINTS)


def test_services_and_storage_import_no_handler_and_no_context() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("handlers") or name in (*UPPER, *ENTRY_POINTS):
            continue
        upward = {t for t in targets if t.startswith("handlers") or t in UPPER}
        assert not upward, f"{name} reaches up to {sorted(upward)}"


def test_storage_imports_neither_telegram_nor_services() -> None:
    for name, path in _modules().items():
        if not name.startswith("storage"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for imported in names:
                    assert not imported.startswith(("telegram", "bot", "handlers")), (
                        f"{name} imports {imported}"
                    )
