"""The package's layout rules (docs/architecture.md): small modules, no private names across modules,
developer tools outside the runtime package, thin notebooks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "cem_research"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines (limit {MAX_LINES}): split it"


def _private_uses(path: Path) -> list[str]:
    """`from cem_research.x import _y` and `alias._y` where alias is another cem_research module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    aliases: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cem_research"):
            for a in node.names:
                target = f"{node.module}.{a.name}"
                if a.name.startswith("_") and not a.name.startswith("__") and node.module != me:
                    found.append(f"from {node.module} import {a.name}")
                aliases[a.asname or a.name] = target
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("cem_research"):
                    aliases[a.asname or a.name] = a.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in aliases
                and aliases[node.value.id] != me):
            found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_names_across_modules(path):
    assert _private_uses(path) == [], f"{path.relative_to(REPO)} uses other modules' private names"


def test_the_private_name_check_can_fail(tmp_path):
    bad = PACKAGE / "steps" / "_probe_for_test.py"
    try:
        bad.write_text("from cem_research import stats\nfrom cem_research.stats import _x\nstats._y(1)\n")
        assert _private_uses(bad) == ["from cem_research.stats import _x", "stats._y"]
    finally:
        bad.unlink()


def test_developer_tools_are_outside_the_package():
    assert not (PACKAGE / "bench.py").exists() and not (PACKAGE / "demo.py").exists()
    assert (REPO / "benchmarks" / "bench.py").exists() and (REPO / "datasets" / "demo.py").exists()
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (datasets|benchmarks)\b", text, re.M), path


def test_step_modules_never_plot():
    for path in (PACKAGE / "steps").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith(("matplotlib", "seaborn")) for n in names), (
                    f"{path.relative_to(REPO)} imports a plotting library: figures live in present/plots")


NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
# A code cell of a notebook calls sections and shows them; the set-up cell loads the client.
ALLOWED = re.compile(
    r"^(#.*"
    r"|from [\w.]+ import [\w, ()]+"
    r"|import [\w.]+( as \w+)?"
    r"|[\w.]+\(\)"  # plots.set_style()
    r"|\w+ = (load_client|Settings\.from_params)\(.*\)"
    r"|(\w+ = )?[\w.]+(\([^()]*\))?\.run\(data, settings(, [\w=]+)*\)"
    r"|\w+ = (None|\"[^\"]*\"|'[^']*'|-?[\d.]+|\{.*\}|\[.*\])"
    r")$")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_code_cells_only_call_sections(path):
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            line = re.sub(r"\s+#.*$", "", line.strip())  # a trailing comment
            if not line or line.startswith(("    ", ")")):
                continue
            assert ALLOWED.match(line), f"{path.name}: logic in a notebook cell: {line!r}"


def test_architecture_doc_names_every_section_and_its_file():
    import inspect

    from cem_research.steps.section import all_sections

    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for section in all_sections():
        path = Path(inspect.getsourcefile(type(section))).relative_to(PACKAGE).as_posix()
        row = f"| `{type(section).__name__}` | `{path}` |"
        assert row in doc and section.title in doc, f"docs/architecture.md lacks {type(section).__name__} ({path})"
