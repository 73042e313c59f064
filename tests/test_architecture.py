"""The rules of docs/ARCHITECTURE.md: rooms by role, imports one way, small modules and functions."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from repo_paths import ROOT

PACKAGE = ROOT / "xlpy"
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")

#: Rooms from the bottom up: a room may import only rooms before it (and itself).
ROOMS = ("engine", "files", "excel", "workbook", "cli")
#: The names a workbook records, kept at the top of the package.
TOP = {"xlpy", "xlpy.__main__", "xlpy.udfs", "xlpy.macros"}
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 800, 80


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = modules()


def room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else None


def _from(module: str, path: Path, node: ast.ImportFrom) -> str | None:
    """The absolute name of the xlpy module *node* (in *module*, at *path*) imports from, or None for another
    package's."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if node.level:
        return ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    return node.module if (node.module or "").split(".")[0] == "xlpy" else None


def imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Every xlpy module *module* imports (absolute name, line), lazy imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "xlpy"]
        elif isinstance(node, ast.ImportFrom):
            if (base := _from(module, path, node)) is None:
                continue
            for a in node.names:  # ``from . import x`` may name a submodule
                sub = f"{base}.{a.name}"
                found.append((sub if sub in MODULES else base, node.lineno))
    return found


def test_the_rooms_exist_and_nothing_else_sits_at_the_top():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} >= set(ROOMS)
    loose = {m for m in MODULES if m.count(".") == 1 and room(m) is None and m not in TOP | {"xlpy.examples"}}
    assert not loose, f"modules outside the rooms: {sorted(loose)}"


def test_imports_run_one_way():
    wrong = []
    for module, path in MODULES.items():
        here = room(module)
        for target, line in imports(module, path):
            there = room(target)
            if here is None:  # the top modules may import any room
                continue
            if there is None and target not in ("xlpy",):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {module} (a room) imports {target} (the top)")
            elif there is not None and ROOMS.index(there) > ROOMS.index(here):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {there} ({target})")
    assert not wrong, "\n".join(wrong)


def test_the_engine_imports_only_the_standard_library():
    wrong = []
    for module, path in MODULES.items():
        if room(module) != "engine":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "__future__" and top not in sys.stdlib_module_names:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not wrong, "\n".join(wrong)


def test_modules_and_functions_stay_small():
    long = []
    for path in MODULES.values():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} is {size} lines "
                                f"(at most {MAX_FUNCTION_LINES})")
    assert not long, "\n".join(long)


def test_test_modules_stay_small_too():
    """The tests are read by the engineers who carry the project on, as its modules are: each under the same
    bound (a module past it is split by what its tests are of, what they share in a module of its own)."""
    long = [f"{p.relative_to(ROOT)}: {n} lines (at most {MAX_MODULE_LINES})"
            for p in sorted((ROOT / "tests").glob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, "\n".join(long)


@pytest.mark.parametrize(("library", "adapter", "pattern"), [
    ("openpyxl", "xlpy/workbook/openpyxl_access.py",
     r"\b(?:wb|ws|cell|c|sheet|book|workbook|worksheet)\._(?:cells|style|value|sheets)\b"),
    ("formulas", "xlpy/workbook/formulas_access.py", r"\bformulas\.(?:functions|excel|tokens)\b"),
])
def test_third_party_internals_are_reached_from_one_module(library, adapter, pattern):
    users = sorted(str(p.relative_to(ROOT)) for p in MODULES.values()
                   if re.search(pattern, p.read_text(encoding="utf-8")))
    assert users == [adapter], f"{library} internals reached from {users}"


def _named_where(rel: str) -> str:
    """The part of the page that names the module at *rel* (its path under ``xlpy/``) by its file name alone: its
    room's section (``### `xlpy/engine/```) without the rows of a folder in it (``| `layout/` |``), or for a module
    in such a folder that row alone; for a module at the top, nothing (the page names it by its path)."""
    if "/" not in rel:
        return ""
    room_name, *folders, _ = rel.split("/")
    section = re.search(rf"^### `xlpy/{room_name}/`[^\n]*\n(.*?)(?=^#|\Z)", DOC, flags=re.M | re.S)
    lines = section.group(1).splitlines() if section else []
    if folders:
        return "\n".join(line for line in lines if line.startswith(f"| `{'/'.join(folders)}/` |"))
    return "\n".join(line for line in lines if not re.match(r"\| `[\w/]+/` \|", line))


def test_the_architecture_page_names_every_module():
    """Each module by its path under xlpy/: a file name several rooms share (``refresh.py``, ``model.py``) is
    named in the room's own section, not only in another's."""
    missing = []
    for module, path in MODULES.items():
        if module in ("xlpy", "xlpy.__main__", "xlpy.examples") or path.name == "__init__.py" and room(module):
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        if f"`{path.name}`" not in _named_where(rel) and f"xlpy/{rel}" not in DOC:
            missing.append(rel)
    assert not missing, f"docs/ARCHITECTURE.md does not name: {missing}"


def test_no_import_cycle_counting_imports_inside_functions():
    graph = {m: {t for t, _ in imports(m, p) if t in MODULES and t != m} for m, p in MODULES.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_the_dependency_comments_name_modules_that_exist():
    """pyproject.toml says beside each pinned dependency which module reaches into it and which test breaks
    first (the README's Development section sends readers there): every file and module it names exists."""
    comments = " ".join(line.split("#", 1)[1] for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
                        .splitlines() if "#" in line)
    files = re.findall(r"\b((?:xlpy|tests)/[\w/]+\.py)\b", comments)
    modules = re.findall(r"\b(xlpy(?:\.\w+)+)\b", comments)
    assert files and modules
    missing = [f for f in files if not (ROOT / f).is_file()]
    missing += [m for m in modules if not (ROOT / (m.replace(".", "/") + ".py")).is_file()
                and not (ROOT / m.replace(".", "/") / "__init__.py").is_file()]
    assert missing == []


def test_no_module_imports_another_modules_private_names():
    """A name two modules share is public in the one defining it: no ``from .other import _name`` (relative or
    absolute, at the top or inside a function).  A name with an underscore is its own module's, free to change."""
    wrong = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (base := _from(module, path, node)) not in (None, module):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {', '.join(private)} from {base}")
    assert not wrong, "\n".join(wrong)


def test_no_module_reaches_another_modules_private_names_through_it():
    """Nor ``from . import other`` then ``other._name`` (``sources._capped``, ``locks._read_small`` were so)."""
    wrong = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = {}  # the names this module gives the xlpy modules it imports -> the module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (base := _from(module, path, node)) is not None:
                bound.update({a.asname or a.name: f"{base}.{a.name}" for a in node.names
                              if f"{base}.{a.name}" in MODULES})
            elif isinstance(node, ast.Import):
                bound.update({a.asname: a.name for a in node.names if a.asname and a.name in MODULES})
        wrong += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr} of {bound[node.value.id]}"
                  for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and bound.get(node.value.id, module) != module and node.attr.startswith("_")
                  and not node.attr.startswith("__")]
    assert not wrong, "\n".join(wrong)
