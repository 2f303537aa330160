"""Every table module, imported once: what key rotation and migrations see as the whole schema.

A feature that adds tables defines them in its own `storage/tables_<area>.py` on `storage.tables.metadata`
and is listed here.
"""

from storage import tables, tables_billing, tables_delivery, tables_wallet
from storage.tables import metadata

TABLE_MODULES = (tables, tables_delivery, tables_wallet, tables_billing)

__all__ = ["TABLE_MODULES", "metadata"]
