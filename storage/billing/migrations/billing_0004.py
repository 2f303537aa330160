"""Billing: user ids are numbers, as they are everywhere else in the house (Telegram user ids).

Subscriptions, checkouts, payments, gifts and bans named their user by a string of digits; the columns become
BIGINT. Documents written before keep the digits as strings: `storage.documents` reads either form.

Revision ID: billing_0004
Revises: billing_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0004"
down_revision = "billing_0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("billing_subscriptions", "user_id"),
    ("billing_checkouts", "user_id"),
    ("billing_payments", "user_id"),
    ("billing_gifts", "buyer_id"),
    ("billing_bans", "user_id"),
)


def _retype(to: sa.types.TypeEngine, cast: str) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in COLUMNS:
        if sqlite:
            # SQLite changes a column's type by copying the table; the values convert by the new affinity.
            with op.batch_alter_table(table) as batch:
                batch.alter_column(column, type_=to, existing_nullable=False)
        else:
            op.alter_column(table, column, type_=to, existing_nullable=False,
                            postgresql_using=f"{column}::{cast}")


def upgrade() -> None:
    _retype(sa.BigInteger(), "bigint")


def downgrade() -> None:
    _retype(sa.String(40), "varchar(40)")
