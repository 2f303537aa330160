"""Rentals: technicians, plans' visit policies and the visits themselves (a missed visit's credit is billing's,
migration billing_0007).

Revision ID: rentals_0006
Revises: rentals_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "rentals_0006"
down_revision = "rentals_0005"
branch_labels = None
depends_on = None

VISIT_INDEXES = {
    "ix_rental_visits_status_technician_id_scheduled_at": ["status", "technician_id", "scheduled_at", "id"],
    "ix_rental_visits_technician_id_scheduled_at": ["technician_id", "scheduled_at"],
    "ix_rental_visits_customer_id_scheduled_at": ["customer_id", "scheduled_at"],
    "ix_rental_visits_brand_id_status_missed_at": ["brand_id", "status", "missed_at", "id"],
}


def _technicians() -> None:
    op.create_table(
        "rental_technicians",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("name_en", sa.String(32), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rental_technicians")),
        sa.UniqueConstraint("brand_id", "user_id", name=op.f("uq_rental_technicians_brand_id_user_id")),
    )
    op.create_index("ix_rental_technicians_brand_id_region", "rental_technicians", ["brand_id", "region"])
    op.create_index("ix_rental_technicians_user_id", "rental_technicians", ["user_id"])


def _visits() -> None:
    op.create_table(
        "rental_visit_policies",
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_rental_visit_policies")),
    )
    op.create_table(
        "rental_visits",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("contract_id", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurrence", sa.String(64), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("technician_id", sa.String(40), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved_to", sa.String(40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rental_visits")),
        sa.UniqueConstraint("contract_id", "occurrence", name=op.f("uq_rental_visits_contract_id_occurrence")),
    )
    for name, columns in VISIT_INDEXES.items():
        op.create_index(name, "rental_visits", columns)


def upgrade() -> None:
    _technicians()
    _visits()


def downgrade() -> None:
    for name in VISIT_INDEXES:
        op.drop_index(name, table_name="rental_visits")
    op.drop_table("rental_visits")
    op.drop_table("rental_visit_policies")
    op.drop_index("ix_rental_technicians_user_id", table_name="rental_technicians")
    op.drop_index("ix_rental_technicians_brand_id_region", table_name="rental_technicians")
    op.drop_table("rental_technicians")
