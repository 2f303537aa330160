"""The room rules of DESIGN.md, checked on the source.

Domain rooms stay free of I/O frameworks; a domain package builds on the kernel only (content, shops and
rentals may also build on billing, never on each other); storage and handlers mirror the domains without
reaching across; nothing reaches into another module's private names; the sandbox could ship on its own.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("bot", "handlers", "wallet", "subscriptions", "storage", "sandbox")
FORBIDDEN_IN_DOMAIN = ("telegram", "sqlalchemy", "aiosqlite", "apscheduler", "asyncpg", "alembic")

# The domain packages inside subscriptions/; everything else in subscriptions/ is the shared kernel.
DOMAINS = ("billing", "content", "shops", "rentals")
# What each domain may build on besides the kernel and itself.
DOMAIN_MAY_USE = {"billing": (), "content": ("billing",), "shops": ("billing",), "rentals": ("billing",)}
# The storage room's shared parts, which every storage/<domain> may use.
STORAGE_SHARED = ("storage.metadata", "storage.core", "storage.envelope", "storage.json_text", "storage.documents")
# Where storage/<name> finds the domain it stores (storage/delivery and storage/core store kernel values).
STORED_DOMAIN = {"billing": "subscriptions.billing", "wallet": "wallet", "content": "subscriptions.content",
                 "shops": "subscriptions.shops", "rentals": "subscriptions.rentals"}
# What handlers may take from bot/: translations, and the context's types for annotations.
HANDLERS_FROM_BOT = {"bot.i18n": "always", "bot.bootstrap": "type_checking"}


@dataclass(frozen=True)
class Imported:
    module: str
    names: tuple[str, ...]
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_in(source: str, filename: str = "<source>") -> list[Imported]:
    found: list[Imported] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Imported(alias.name, (), node.lineno, type_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(Imported(node.module, tuple(alias.name for alias in node.names), node.lineno, type_only))
        for child in ast.iter_child_nodes(node):
            visit(child, type_only or (isinstance(node, ast.If) and _is_type_checking(node.test)
                                       and child in node.body))

    visit(ast.parse(source, filename=filename), False)
    return found


@functools.cache
def imports_of(path: Path) -> tuple[Imported, ...]:
    return tuple(imports_in(path.read_text(encoding="utf-8"), str(path)))


def top_level(module: str) -> str:
    return module.split(".")[0]


def under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_ours(module: str) -> bool:
    return top_level(module) in ROOMS


def is_kernel(module: str) -> bool:
    return under(module, "subscriptions") and not any(under(module, f"subscriptions.{d}") for d in DOMAINS)


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def offenders(paths: list[Path], allowed: Callable[[Imported], bool]) -> dict[str, list[str]]:
    """Each file's imports of our own rooms that `allowed` refuses."""
    found: dict[str, list[str]] = {}
    for path in paths:
        bad = sorted({item.module for item in imports_of(path) if is_ours(item.module) and not allowed(item)})
        if bad:
            found[relative(path)] = bad
    return found


def present(folders: tuple[str, ...]) -> list[str]:
    return [name for name in folders if (ROOT / name).is_dir()]


# --- frameworks ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("room", ["wallet", "subscriptions"])
def test_domain_rooms_import_no_telegram_database_or_scheduler_code(room: str) -> None:
    found = {
        relative(path): sorted(bad)
        for path in files(room)
        if (bad := {top_level(item.module) for item in imports_of(path)} & set(FORBIDDEN_IN_DOMAIN))
    }
    assert found == {}


# --- the kernel and the domains --------------------------------------------------------------------------

def test_the_kernel_imports_no_domain_and_no_other_room() -> None:
    kernel_files = [path for path in files("subscriptions")
                    if not any(part in DOMAINS for part in path.relative_to(ROOT / "subscriptions").parts[:-1])]
    assert kernel_files, "the kernel has files"
    assert offenders(kernel_files, lambda item: is_kernel(item.module)) == {}


@pytest.mark.parametrize("domain", present(tuple(f"subscriptions/{d}" for d in DOMAINS)))
def test_a_domain_builds_on_the_kernel_only(domain: str) -> None:
    name = domain.rsplit("/", 1)[1]
    allowed = [f"subscriptions.{name}", *(f"subscriptions.{other}" for other in DOMAIN_MAY_USE[name])]
    assert offenders(files(domain), lambda item: is_kernel(item.module) or any(under(item.module, a) for a in allowed)) == {}


def test_the_wallet_imports_only_itself_and_the_kernel() -> None:
    assert offenders(files("wallet"), lambda item: under(item.module, "wallet") or is_kernel(item.module)) == {}


# --- storage ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("folder", present(("storage/core", "storage/delivery", *(f"storage/{d}" for d in STORED_DOMAIN))))
def test_storage_for_a_domain_imports_only_that_domain_the_kernel_and_storages_shared_parts(folder: str) -> None:
    name = folder.rsplit("/", 1)[1]
    own = (f"storage.{name}", *((STORED_DOMAIN[name],) if name in STORED_DOMAIN else ()))

    def allowed(item: Imported) -> bool:
        return (is_kernel(item.module) or any(under(item.module, package) for package in own)
                or any(under(item.module, shared) for shared in STORAGE_SHARED))

    assert offenders(files(folder), allowed) == {}


# --- handlers ---------------------------------------------------------------------------------------------

def _handlers_may_import(package: str, item: Imported) -> bool:
    module = item.module
    if under(module, "bot"):
        rule = HANDLERS_FROM_BOT.get(module)
        return rule == "always" or (rule == "type_checking" and item.type_only)
    if under(module, "handlers"):
        # Handlers mirror the domains: content's may draw billing's prices and buttons as content builds on billing.
        return under(module, "handlers.core") or any(
            under(module, f"handlers.{name}") for name in (package, *DOMAIN_MAY_USE.get(package, ())))
    if under(module, "storage") or under(module, "sandbox"):
        return False
    if under(module, "wallet"):
        return package == "wallet"
    if is_kernel(module):
        return True
    domains = (package, *DOMAIN_MAY_USE.get(package, ()))
    return any(under(module, f"subscriptions.{name}") for name in domains)


@pytest.mark.parametrize("package", sorted(path.name for path in (ROOT / "handlers").iterdir()
                                           if path.is_dir() and (path / "__init__.py").exists()))
def test_handlers_import_their_domain_core_and_from_bot_only_i18n_and_the_contexts_types(package: str) -> None:
    assert offenders(files(f"handlers/{package}"), lambda item: _handlers_may_import(package, item)) == {}


def test_handlers_hold_no_sql() -> None:
    found = {relative(path): sorted(bad) for path in files("handlers")
             if (bad := {item.module for item in imports_of(path) if top_level(item.module) in ("sqlalchemy", "storage")})}
    assert found == {}


# --- private names and the sandbox ------------------------------------------------------------------------

def test_no_module_imports_another_modules_private_names() -> None:
    found: dict[str, list[str]] = {}
    for room in (*ROOMS, "tests", "bench"):
        for path in files(room):
            bad = [f"{item.module}.{name}" for item in imports_of(path) if is_ours(item.module)
                   for name in item.names if name.startswith("_")]
            bad += [item.module for item in imports_of(path)
                    if is_ours(item.module) and any(part.startswith("_") and not part.startswith("__")
                                                    for part in item.module.split("."))]
            if bad:
                found[relative(path)] = sorted(bad)
    assert found == {}


def test_the_sandbox_imports_no_other_room() -> None:
    assert offenders(files("sandbox"), lambda item: under(item.module, "sandbox")) == {}


# --- the checker itself -----------------------------------------------------------------------------------

def test_the_checker_sees_imports_and_which_are_only_for_type_checking() -> None:
    found = imports_in(
        "import telegram.ext\nfrom sqlalchemy import select\nfrom . import sibling\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.bootstrap import Services\n"
        "else:\n    from bot.app import build\n"
    )
    assert [(item.module, item.type_only) for item in found] == [
        ("telegram.ext", False), ("sqlalchemy", False), ("typing", False), ("bot.bootstrap", True), ("bot.app", False)]
    assert _handlers_may_import("wallet", found[3]) and not _handlers_may_import("wallet", found[4])


def test_the_rules_refuse_what_they_are_meant_to_refuse() -> None:
    def item(module: str, *names: str) -> Imported:
        return Imported(module, names, 1, False)

    assert is_kernel("subscriptions.money") and not is_kernel("subscriptions.billing.offers")
    assert not _handlers_may_import("billing", item("storage.unit_of_work"))
    assert not _handlers_may_import("billing", item("handlers.wallet.views"))
    assert not _handlers_may_import("billing", item("bot.bootstrap", "Services"))
    assert not _handlers_may_import("shops", item("subscriptions.rentals.contracts"))
    assert _handlers_may_import("shops", item("subscriptions.billing.offers"))
