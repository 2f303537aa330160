"""Wallet: a verifier's name is personal data too; it is sealed like the rest, existing rows included.

The name of a verification request and of each history entry moves from a text column to envelope-encrypted
bytes. Sealing the rows already there needs the master key: storage.migrate hands the envelope in as the
`envelope` attribute, and a database holding names refuses to migrate without it rather than lose them.

Revision ID: wallet_0003
Revises: wallet_0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "wallet_0003"
down_revision = "wallet_0002"
branch_labels = None
depends_on = None

PURPOSE = "wallet.verifier_name"  # storage.wallet.tables.VERIFIER_NAME_PURPOSE, frozen here as migrations are
TABLES = ("wallet_verification_requests", "wallet_presentations")
SWAP = "verifier_name_swap"


def _envelope(rows: int) -> Any:
    config = op.get_context().config
    envelope = None if config is None else config.attributes.get("envelope")
    if envelope is None and rows:
        raise RuntimeError(
            f"{rows} verifier names must be sealed with the master key: run `jigap migrate` (or start jigap) "
            "with the master key available"
        )
    return envelope


def _convert(table_name: str, new_type: sa.types.TypeEngine[Any], convert: str) -> None:
    with op.batch_alter_table(table_name) as batch:
        batch.add_column(sa.Column(SWAP, new_type, nullable=True))
    table = sa.table(table_name, sa.column("id"), sa.column("verifier_name"), sa.column(SWAP))
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.verifier_name)).all()
    envelope = _envelope(len(rows))
    for row in rows:
        if convert == "seal":
            value: Any = envelope.seal(str(row.verifier_name).encode(), purpose=PURPOSE)
        else:
            value = envelope.open(bytes(row.verifier_name), purpose=PURPOSE).decode()
        bind.execute(sa.update(table).where(table.c.id == row.id).values({SWAP: value}))
    with op.batch_alter_table(table_name) as batch:
        batch.drop_column("verifier_name")
    with op.batch_alter_table(table_name) as batch:
        batch.alter_column(SWAP, new_column_name="verifier_name", existing_type=new_type, nullable=False)


def upgrade() -> None:
    for table_name in TABLES:
        _convert(table_name, sa.LargeBinary(), "seal")


def downgrade() -> None:
    for table_name in TABLES:
        _convert(table_name, sa.String(200), "open")
