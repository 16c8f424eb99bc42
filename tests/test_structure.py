"""The package's shape: no import cycles between its modules, no module too long."""

from __future__ import annotations

import ast
from pathlib import Path

import bookings

PACKAGE_ROOT = Path(bookings.__file__).resolve().parent
MAX_LINES = 400


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every import statement, at any depth, except those only for type checkers."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child
            stack.append(child)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module name -> the package's modules it imports (lazy imports inside functions
    included: they hide a cycle, they do not remove it)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    top = root.name
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base_parts = here.split(".")
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                # `from x import y` imports the module x.y when there is one, else x.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for target in targets:
                if target == top or not target.startswith(top + "."):
                    continue
                while target not in files and "." in target:
                    target = target.rpartition(".")[0]
                if target in files and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles_between_the_packages_modules():
    cycle = find_cycle(import_graph(PACKAGE_ROOT))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_check_finds_a_cycle_made_on_purpose(tmp_path):
    pkg = tmp_path / "shop"
    (pkg / "orders").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "orders" / "__init__.py").write_text("")
    (pkg / "orders" / "service.py").write_text("from ..mail import messages\n")
    (pkg / "mail").mkdir()
    (pkg / "mail" / "__init__.py").write_text("")
    # Hidden inside a function, as lazy imports hide cycles.
    (pkg / "mail" / "messages.py").write_text(
        "def build():\n    from ..orders.service import place\n"
    )
    (pkg / "typing_only.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .orders import service\n"
    )
    cycle = find_cycle(import_graph(pkg))
    assert cycle is not None
    assert set(cycle) == {"shop.orders.service", "shop.mail.messages"}
    # Without the lazy import there is none; a TYPE_CHECKING import is no cycle.
    (pkg / "mail" / "messages.py").write_text("def build():\n    return 1\n")
    assert find_cycle(import_graph(pkg)) is None


def test_no_module_is_longer_than_a_screenful_or_two():
    long = {
        str(path.relative_to(PACKAGE_ROOT)): n
        for path in PACKAGE_ROOT.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"
