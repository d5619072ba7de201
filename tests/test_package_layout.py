"""The package reads like the pipeline: stage subpackages, layered imports, no import cycle.

docs/architecture.md explains the layers; this test keeps the code to them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from asc_warehouse.config import PROJECT_ROOT

PACKAGE_DIR = PROJECT_ROOT / "src" / "asc_warehouse"
ROOT_MODULES = {"__init__.py", "config.py", "cli.py"}
# Lowest first: a subpackage may import its own modules and those of earlier layers only.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"config"}),
    frozenset({"ingest", "reference"}),
    frozenset({"quality"}),
    frozenset({"alerts"}),
    frozenset({"present"}),
    frozenset({"pipeline"}),
    frozenset({"sample_data"}),
    frozenset({"cli"}),
)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Every project module each module imports, at top level or inside a function."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("asc_warehouse"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    graph[name].add(candidate if candidate in modules else str(node.module))
            elif isinstance(node, ast.Import):
                graph[name].update(
                    alias.name for alias in node.names if alias.name.startswith("asc_warehouse")
                )
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(package)"


def _layer(stage: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if stage in layer)


def test_only_config_and_cli_sit_at_the_package_root() -> None:
    at_root = {path.name for path in PACKAGE_DIR.glob("*.py")}
    assert at_root == ROOT_MODULES


def test_every_subpackage_is_a_known_layer() -> None:
    stages = {path.name for path in PACKAGE_DIR.iterdir()
              if path.is_dir() and (path / "__init__.py").exists()}
    known = set().union(*LAYERS)
    assert stages <= known, f"add {sorted(stages - known)} to LAYERS and docs/architecture.md"


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                cycles.append([*path[path.index(imported):], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {imported}"
        for module, imports in graph.items()
        for imported in imports
        if _stage(module) != "(package)" and _stage(imported) != "(package)"
        and _stage(module) != _stage(imported)
        and _layer(_stage(imported)) >= _layer(_stage(module))
    )


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    assert find_cycles(_imports(_modules())) == []


def test_stages_import_only_earlier_layers() -> None:
    assert upward_imports(_imports(_modules())) == []


def test_the_checks_catch_a_cycle_and_an_upward_import() -> None:
    """The two checks above must be able to fail."""
    graph = {
        "asc_warehouse.ingest.cld": {"asc_warehouse.ingest.loading"},
        "asc_warehouse.ingest.loading": {"asc_warehouse.ingest.cld"},
        "asc_warehouse.ingest.landing": {"asc_warehouse.pipeline.nightly"},
    }
    assert find_cycles(graph) == [
        ["asc_warehouse.ingest.cld", "asc_warehouse.ingest.loading", "asc_warehouse.ingest.cld"]
    ]
    assert upward_imports(graph) == [
        "asc_warehouse.ingest.landing imports asc_warehouse.pipeline.nightly"
    ]
