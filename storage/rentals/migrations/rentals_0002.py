"""Rentals: the technician of each installation slot; the booked installation time of each contract as a column,
and applications by status and last step taken, for the reminder sweep's windows.

Contracts written before get their installation time from their document.

Revision ID: rentals_0002
Revises: rentals_0001
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "rentals_0002"
down_revision = "rentals_0001"
branch_labels = None
depends_on = None


def _installation_times() -> None:
    contracts = sa.table("rental_contracts", sa.column("id", sa.String), sa.column("document", sa.JSON),
                         sa.column("installation_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    for row in bind.execute(sa.select(contracts.c.id, contracts.c.document)).all():
        document = row.document if isinstance(row.document, dict) else json.loads(row.document)
        moment = datetime.fromisoformat(document["installation_at"])
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        bind.execute(sa.update(contracts).where(contracts.c.id == row.id).values(installation_at=moment))


def upgrade() -> None:
    op.add_column("rental_slots", sa.Column("technician", sa.String(64), nullable=True))
    op.add_column("rental_contracts", sa.Column("installation_at", sa.DateTime(timezone=True), nullable=True))
    _installation_times()
    op.create_index("ix_rental_contracts_status_installation_at", "rental_contracts",
                    ["status", "installation_at", "id"])
    op.create_index("ix_rental_applications_status_updated_at", "rental_applications", ["status", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_rental_applications_status_updated_at", table_name="rental_applications")
    op.drop_index("ix_rental_contracts_status_installation_at", table_name="rental_contracts")
    with op.batch_alter_table("rental_contracts") as batch:
        batch.drop_column("installation_at")
    with op.batch_alter_table("rental_slots") as batch:
        batch.drop_column("technician")
