"""The layout's rules, checked on the source: who may import whom, no cycles, one reader of the environment."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "Backend"
TYPE_PACKAGES = {"paystub", "check", "money_order", "bank_statement"}
# Each room and the rooms it may import (itself always allowed). Inner rooms know nothing of outer ones.
ALLOWED = {
    "config": set(),
    "domain": set(),
    **{name: {"domain"} for name in TYPE_PACKAGES},
    "document_types": {"domain", *TYPE_PACKAGES},
    "store": {"domain", "config"},
    "models": {"domain", "store"},
    "services": {"domain", "store", "models"},
    "training": {"config", "domain", "document_types", "store", "models", "services", *TYPE_PACKAGES},
    "scheduler": {"config", "domain", "store", "models", "services", "training"},
    "web": {"domain", "store", "models", "services"},
    "cli": {"config", "document_types", "domain", "store", "models", "services", "training"},
}
ROOMS = set(ALLOWED) | {"api_server"}


def modules() -> dict[str, Path]:
    found = {}
    for path in BACKEND.rglob("*.py"):
        if "instance" in path.parts:
            continue
        parts = path.relative_to(BACKEND).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(path: Path) -> set[str]:
    """Project modules `path` imports, anywhere in the file (function-level imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in ROOMS}


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = defaultdict(set)
    for name, path in known.items():
        for target in imports_of(path):
            while target not in known and "." in target:  # `from pkg import name` names an attribute
                target = target.rsplit(".", 1)[0]
            if target in known and target != name:
                edges[name].add(target)
    return edges


def test_every_module_belongs_to_a_room():
    assert {name.split(".")[0] for name in modules()} <= ROOMS


def test_no_room_imports_an_outer_room():
    wrong = []
    for source, targets in graph().items():
        room = source.split(".")[0]
        if room == "api_server":
            continue
        for target in targets:
            other = target.split(".")[0]
            if other != room and other not in ALLOWED[room]:
                wrong.append(f"{source} -> {target}")
    assert wrong == []


def test_no_import_cycles():
    edges = graph()
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for node in sorted(modules()):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_only_the_config_reads_the_environment_and_nothing_edits_sys_path():
    readers, path_edits = [], []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if name != "config" and ("os.environ" in text or "getenv(" in text):
            readers.append(name)
        if "sys.path" in text:
            path_edits.append(name)
    assert readers == [] and path_edits == []


def test_a_document_type_package_holds_only_what_differs():
    for name in TYPE_PACKAGES:
        package = BACKEND / name
        assert not (package / "ml").exists()
        assert {"fields.py", "features.py", "synthetic.py"} <= {p.name for p in package.glob("*.py")}
        init = (package / "__init__.py").read_text(encoding="utf-8")
        assert "import" not in init  # the type is declared once, in document_types.py
