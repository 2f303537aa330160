"""The room rules of DESIGN.md, checked on the source: domain rooms stay free of I/O frameworks,
and the sandbox could ship on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("bot", "handlers", "wallet", "subscriptions", "storage", "sandbox")
FORBIDDEN_IN_DOMAIN = ("telegram", "sqlalchemy", "aiosqlite", "apscheduler", "asyncpg", "alembic")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def top_level(module: str) -> str:
    return module.split(".")[0]


def imports_of_room(room: str) -> dict[str, set[str]]:
    return {
        str(path.relative_to(ROOT)): {top_level(name) for name in imported_modules(path)}
        for path in sorted((ROOT / room).rglob("*.py"))
    }


@pytest.mark.parametrize("room", ["wallet", "subscriptions"])
def test_domain_rooms_import_no_telegram_database_or_scheduler_code(room: str) -> None:
    offenders = {
        path: sorted(names & set(FORBIDDEN_IN_DOMAIN))
        for path, names in imports_of_room(room).items()
        if names & set(FORBIDDEN_IN_DOMAIN)
    }
    assert offenders == {}


def test_the_sandbox_imports_no_other_room() -> None:
    others = set(ROOMS) - {"sandbox"}
    offenders = {path: sorted(names & others) for path, names in imports_of_room("sandbox").items() if names & others}
    assert offenders == {}


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import telegram.ext\nfrom sqlalchemy import select\nfrom . import sibling\n", encoding="utf-8")
    assert {top_level(name) for name in imported_modules(sample)} == {"telegram", "sqlalchemy"}


def test_handlers_hold_no_sql() -> None:
    """Handlers may read plain stored values (storage.records) but never reach SQL, tables or repositories."""
    offenders: dict[str, list[str]] = {}
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        names = imported_modules(path)
        bad = sorted(name for name in names
                     if top_level(name) == "sqlalchemy" or (top_level(name) == "storage" and name != "storage.records"))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}
