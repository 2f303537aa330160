"""Rentals: the fleet. Each unit's acquisition cost, acquisition day, useful life and residual value (empty for
the units bought before: they depreciate nothing) and when it left the fleet; every unit's location history;
and the returns of contracts that ended, from the pickup to the deposit settled.

Revision ID: rentals_0004
Revises: rentals_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "rentals_0004"
down_revision = "rentals_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rental_units", sa.Column("acquisition_cost", sa.BigInteger(), nullable=True))
    op.add_column("rental_units", sa.Column("currency", sa.String(3), nullable=True))
    op.add_column("rental_units", sa.Column("acquired_on", sa.Date(), nullable=True))
    op.add_column("rental_units", sa.Column("useful_life_months", sa.Integer(), nullable=True))
    op.add_column("rental_units", sa.Column("residual_value", sa.BigInteger(), nullable=True))
    op.add_column("rental_units", sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_rental_units_brand_id_id", "rental_units", ["brand_id", "id"])
    op.create_index("ix_rental_units_serial", "rental_units", ["serial"])
    op.create_table(
        "rental_unit_moves",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("place", sa.String(32), nullable=False),
        sa.Column("contract_id", sa.String(40), nullable=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rental_unit_moves")),
    )
    op.create_index("ix_rental_unit_moves_unit_id_id", "rental_unit_moves", ["unit_id", "id"])
    op.create_table(
        "rental_returns",
        sa.Column("contract_id", sa.String(40), nullable=False),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("pickup_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_rental_returns")),
    )
    op.create_index("ix_rental_returns_brand_id_status_pickup_at", "rental_returns",
                    ["brand_id", "status", "pickup_at"])


def downgrade() -> None:
    op.drop_index("ix_rental_returns_brand_id_status_pickup_at", table_name="rental_returns")
    op.drop_table("rental_returns")
    op.drop_index("ix_rental_unit_moves_unit_id_id", table_name="rental_unit_moves")
    op.drop_table("rental_unit_moves")
    op.drop_index("ix_rental_units_serial", table_name="rental_units")
    op.drop_index("ix_rental_units_brand_id_id", table_name="rental_units")
    with op.batch_alter_table("rental_units") as batch:
        for column in ("left_at", "residual_value", "useful_life_months", "acquired_on", "currency",
                       "acquisition_cost"):
            batch.drop_column(column)
