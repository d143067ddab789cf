"""The import rules of the code base, read from the source with ``ast`` (nothing is imported).

- The domain packages never import Streamlit, ``ui`` or ``pages``: they run the same from the
  command line, the tests and the app.
- The domain packages form layers, ``core < db < accounts < cycle < registry < status < intake <
  office``: a package imports only packages at or below its own layer. ``seed`` is a data folder,
  read by ``registry``.
- ``db`` imports no domain package other than ``core``.
- A page (``pages/*.py``) holds no database code: no SQLAlchemy or SQLModel, nothing from
  ``db``, no ``session.exec`` or other statement execution, no SQL text. Pages go through ``ui``
  and the domain packages.

Every import counts, wherever it stands: at the top, inside a function or under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = ("core", "db", "accounts", "cycle", "registry", "status", "intake", "office")
DATA_FOLDERS = {"seed": {"registry"}}  # folder: the packages that may import it
UI_LAYERS = ("streamlit", "ui", "pages")
# First-party top-level names that are not domain packages: no domain module imports them.
APPLICATION = ("ui", "pages", "app", "cli", "commands", "bench", "tests")
DATABASE_LIBRARIES = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "sqlite3")
# Methods that run a statement, on a session, a connection or an engine.
EXECUTION_METHODS = {"exec", "execute", "exec_driver_sql", "executemany", "scalars"}
SESSION_NAMES = {"Session", "read_session", "write_session", "get_engine"}
SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(?:CREATE|DROP|ALTER)\s+(?:TABLE|INDEX|SCHEMA)\b|\bPRAGMA\s+\w+"
)


@dataclass(frozen=True)
class Import:
    module: str  # the full dotted name, relative imports resolved
    line: int

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every module ``source`` imports. ``from pkg import name`` counts as ``pkg`` and as
    ``pkg.name``, since the name may be a submodule."""
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append(Import(target, node.lineno))
            found += [Import(f"{target}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*"]
    return found


def files_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> list[Import]:
    return imports_of(path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py")


def _where(path: Path) -> str:
    return f"{path.relative_to(ROOT)}:"


def _one_per_module(imports: list[Import]) -> list[Import]:
    """``from pkg import a, b`` counts as pkg, pkg.a and pkg.b: one message for them."""
    seen: set[tuple[int, str]] = set()
    kept = []
    for imp in imports:
        if (imp.line, imp.top) not in seen:
            seen.add((imp.line, imp.top))
            kept.append(imp)
    return kept


def _database_import(imp: Import) -> bool:
    return imp.top in DATABASE_LIBRARIES or imp.top == "db" or imp.module.rsplit(".", 1)[-1] in SESSION_NAMES


def layer_violations(package: str, imports: list[Import], where: str = "") -> list[str]:
    """What ``package``'s imports break of the domain's rules."""
    level = LAYERS.index(package)
    problems = []
    for imp in _one_per_module(imports):
        top = imp.top
        if top in UI_LAYERS or top in APPLICATION:
            problems.append(f"{where}{imp.line}: {package} imports {imp.module} (domain code never imports the app)")
        elif top in LAYERS and LAYERS.index(top) > level:
            problems.append(f"{where}{imp.line}: {package} imports {imp.module}, a higher layer")
        elif top in DATA_FOLDERS and package not in DATA_FOLDERS[top]:
            problems.append(f"{where}{imp.line}: {package} imports the data folder {top}")
    return problems


def page_violations(source: str, module: str, where: str = "") -> list[str]:
    """Database code in a page: imports, statement execution, sessions, SQL text."""
    problems = []
    for imp in _one_per_module([imp for imp in imports_of(source, module) if _database_import(imp)]):
        problems.append(f"{where}{imp.line}: imports {imp.module}")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTION_METHODS:
            problems.append(f"{where}{node.lineno}: calls .{node.func.attr}(), which runs a statement")
        elif isinstance(node, ast.Name) and node.id in SESSION_NAMES:
            problems.append(f"{where}{node.lineno}: uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SESSION_NAMES:
            problems.append(f"{where}{node.lineno}: uses .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            problems.append(f"{where}{node.lineno}: contains SQL: {node.value[:60]!r}")
    return problems


@pytest.mark.parametrize("package", LAYERS)
def test_domain_packages_never_import_the_app_and_keep_their_layer(package: str) -> None:
    problems = []
    for path in files_of(package):
        problems += layer_violations(package, _imports(path), _where(path))
    assert not problems, "\n".join(problems)


def test_db_imports_no_domain_package_but_core() -> None:
    problems = [
        f"{_where(path)}{imp.line}: imports {imp.module}"
        for path in files_of("db")
        for imp in _imports(path)
        if imp.top in LAYERS and imp.top not in ("core", "db")
    ]
    assert not problems, "\n".join(problems)


def test_pages_hold_no_database_code() -> None:
    pages = sorted((ROOT / "pages").glob("*.py"))
    assert pages
    problems = []
    for path in pages:
        problems += page_violations(path.read_text(encoding="utf-8"), module_name(path), _where(path))
    assert not problems, "\n".join(problems)


def test_every_first_party_package_is_named_by_the_rules() -> None:
    """A new top-level package must be placed in the rules above, or it would escape them."""
    named = {*LAYERS, *DATA_FOLDERS, *APPLICATION}
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() or p.name in ("pages", "tests")}
    modules = {p.stem for p in ROOT.glob("*.py")}
    assert packages | modules <= named, sorted((packages | modules) - named)


# --- the checks themselves catch what they should ------------------------------------


def test_relative_imports_are_resolved() -> None:
    found = imports_of("from . import models\nfrom ..ui import auth\n", "db.sub.engine")
    assert [i.module for i in found] == ["db.sub", "db.sub.models", "db.ui", "db.ui.auth"]
    assert [i.module for i in imports_of("from .x import y\n", "office", is_package=True)] == ["office.x", "office.x.y"]


def test_the_rules_catch_violations() -> None:
    source = (
        "import streamlit as st\n"
        "from office.workbench import Filters\n"
        "from seed import SEED_DIR\n"
        "def f():\n"
        "    from ui import auth\n"
    )
    problems = layer_violations("status", imports_of(source, "status.x"))
    assert sorted({int(p.split(":")[0]) for p in problems}) == [1, 2, 3, 5]
    assert layer_violations("registry", imports_of("from seed import SEED_DIR\n", "registry.x")) == []
    assert layer_violations("office", imports_of("from core import clock\nimport db.models\n", "office.x")) == []

    page = (
        "from sqlmodel import select\n"
        "from db.models import Task\n"
        "from ui.data import read_session\n"
        "with read_session() as session:\n"
        "    rows = session.exec(select(Task)).all()\n"
        "conn.exec_driver_sql(f'SELECT count(*) FROM task WHERE year = {year}')\n"
        "st.caption('共 3 项')\n"
    )
    lines = sorted({int(p.split(":")[0]) for p in page_violations(page, "pages.x")})
    assert lines == [1, 2, 3, 4, 5, 6]


def test_every_table_goes_through_the_one_with_a_safe_download() -> None:
    """``st.dataframe`` is called in ``ui/tables.py`` only: every other table is ``ui.tables.table``,
    whose download escapes formula-like text (the built-in export is switched off)."""
    callers = [
        _where(path)
        for folder in ("pages", "ui")
        for path in sorted((ROOT / folder).glob("*.py"))
        if path.name != "tables.py" and "st.dataframe(" in path.read_text(encoding="utf-8")
    ]
    callers += [_where(ROOT / "app.py")] if "st.dataframe(" in (ROOT / "app.py").read_text(encoding="utf-8") else []
    assert not callers, callers
