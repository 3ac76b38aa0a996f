"""The package layout stays a pipeline: no import cycles, the library never imports the web front end.

Every import counts, including the ones inside functions (a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("rag", "embeddings", "ui")
MAX_LINES = 400  # a longer module needs a note that says why ("# size:" in its first lines)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports (``from a import b`` counts ``a.b`` when that is a module)."""
    paths = [p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")]
    modules = {module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                found = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            else:
                continue
            for target in found:
                while target and target not in modules:  # a.b.c where a.b is the module
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_library_never_imports_the_web_front_end():
    graph = import_graph()
    offenders = {name: sorted(t for t in targets if t == "ui" or t.startswith("ui."))
                 for name, targets in graph.items() if name.startswith(("rag", "embeddings"))}
    assert {name: t for name, t in offenders.items() if t} == {}


# The pipeline from file to cited answer, earliest first; a module may import its own layer and earlier ones.
LAYERS = [
    ("rag.core",),
    ("rag.ingest.loaders", "rag.ingest.repair", "rag.ingest.cleaning", "rag.ingest.metadata", "rag.ingest.sections",
     "rag.ingest.chunking", "rag.ingest.parser"),
    ("rag.reports.indicators", "rag.reports.ledger"),  # figures read at ingest, stored with the chunks
    ("rag.index",),
    ("rag.ingest.pipeline",),  # orchestration: parse, then write the store and indexes
    ("rag.retrieve",),
    ("rag.answer",),
    ("rag.reports.summary", "rag.reports.compare"),  # cited like answers
    ("rag.service",),
    ("rag.tools", "rag.cli", "rag.__main__"),
]


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer): the most specific prefix decides
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith((prefix + ".", prefix + "_"))
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), number)
    return None if best is None else best[1]


def test_pipeline_layers_import_downwards():
    upward = [f"{name} -> {target}" for name, targets in import_graph().items() for target in targets
              if (mine := layer_of(name)) is not None and (theirs := layer_of(target)) is not None and theirs > mine]
    assert upward == []


def test_modules_stay_small_or_say_why():
    long = []
    for pkg in ("rag",):
        for path in (REPO / pkg).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > MAX_LINES and "# size:" not in "\n".join(text.splitlines()[:40]):
                long.append(f"{path.relative_to(REPO)} ({text.count(chr(10))} lines)")
    assert long == []
