"""The import graph: no cycle, and no arrow running back up the stages (kb/ never imports web/ or Flask).

Every ``import`` and ``from … import`` of every module of kb/ and web/ is read with ``ast`` — those
inside functions too, since a local import is still a dependency — and each module is given the layer of
its package. A module may import its own layer's modules and those of the layers below.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Bottom to top: what a stage may import is below it (or beside it, within its own package).
LAYERS = [
    ["kb.errors"],
    ["kb.model"],
    ["kb.analysis"],
    ["kb.vocab"],
    ["kb.parse"],
    ["kb.corpus"],
    ["kb.facts"],
    ["kb.index"],
    ["kb.search"],
    ["kb.answer"],
    ["kb.evaluation", "kb.feedback"],
    ["kb.present"],
    # The tools at the top: the command line and refitting the answer model (which scores question sets).
    ["kb.cli", "kb.answer.tuning"],
    ["web"],
]
OUTSIDE_KB = ("web", "flask", "flask_limiter", "werkzeug", "jinja2", "markupsafe")


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("kb", "web"):
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module an import statement of the file names (``from a.b import c``: a.b, and a.b.c when it is
    a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in MODULES)
    return names


def _internal(name: str) -> str | None:
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        targets = {_internal(name) for name in _imports(path)} - {None, module}
        # importing a module of a package runs the package first, except the packages holding the importer
        graph[module] = {t for t in targets if not module.startswith(f"{t}.")}
    return graph


def _layer(module: str) -> int:
    best = None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(f"{prefix}."):
                if best is None or len(prefix) > best[1]:
                    best = (number, len(prefix))
    assert best is not None, f"{module} belongs to no layer of tests/test_layers.py"
    return best[0]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
              for module, targets in _graph().items() for target in targets if _layer(target) > _layer(module)]
    assert upward == []


def test_kb_never_imports_the_site_or_flask():
    for module, path in MODULES.items():
        if module.split(".")[0] == "kb":
            outside = {name for name in _imports(path) if name.split(".")[0] in OUTSIDE_KB}
            assert not outside, f"{module} imports {sorted(outside)}"


def test_a_cycle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_readme_drawing_names_every_folder_and_each_folder_says_its_job():
    """The tree shows the flow: every package of kb/ stands in the README's "How it works" drawing, and its
    __init__.py starts with a docstring saying what it does; so does every top-level module of kb/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    drawing = readme.split("## How it works", 1)[1].split("```")[1]
    for package in sorted(p for p in (ROOT / "kb").iterdir() if (p / "__init__.py").exists()):
        assert f"kb/{package.name}/" in drawing, package.name
        assert ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))), package.name
    for module in sorted((ROOT / "kb").glob("*.py")):
        if module.name != "__init__.py":
            assert f"kb/{module.name}" in drawing, module.name
        assert ast.get_docstring(ast.parse(module.read_text(encoding="utf-8"))), module.name
