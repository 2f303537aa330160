"""The whole schema: every domain's tables, found once, as key rotation, migrations and the schema test see it.

Each domain declares its tables in `storage/<domain>/tables.py` on `storage.metadata.metadata` and keeps its
migration branch in `storage/<domain>/migrations/`; nothing here names a domain, so adding one needs no
change in this file.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import storage
from storage.metadata import metadata

ROOT = Path(storage.__file__).parent


def domain_packages() -> list[str]:
    """The storage packages that hold tables: `core`, `wallet`, `billing`, `delivery`, ..."""
    return sorted(info.name for info in pkgutil.iter_modules([str(ROOT)])
                  if info.ispkg and (ROOT / info.name / "tables.py").exists())


def migration_folders() -> list[Path]:
    return [ROOT / name / "migrations" for name in domain_packages() if (ROOT / name / "migrations").is_dir()]


TABLE_MODULES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"storage.{name}.tables") for name in domain_packages()
)

__all__ = ["TABLE_MODULES", "metadata", "migration_folders"]
