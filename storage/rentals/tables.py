"""Rental tables. Products, plans, applications and contracts are JSON documents beside the columns queries
select on; the applicant's verified identity and address are sealed. The race for the last unit and for a
slot's places is decided here by conditional updates: a unit row goes from in_stock to reserved once, a
slot's place (one row per place) is held by one application at a time until its hold runs out."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    or_,
)

from storage.metadata import metadata, sealed, utc_datetime

ID = 40
IDENTITY_PURPOSE = "rentals.identity"
ADDRESS_PURPOSE = "rentals.address"

rental_brands = Table(
    "rental_brands",
    metadata,
    Column("brand_id", BigInteger, primary_key=True, autoincrement=False),
    Column("document", JSON, nullable=False),
)

rental_products = Table(
    "rental_products",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("brand_id", BigInteger, nullable=False),
    Column("category", String(24), nullable=False),
    Column("is_service", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    utc_datetime("created_at"),
    Column("document", JSON, nullable=False),
    Index("ix_rental_products_category_status", "category", "status"),
    Index("ix_rental_products_brand_id", "brand_id"),
)

rental_plans = Table(
    "rental_plans",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("product_id", String(ID), nullable=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("versions", Integer, nullable=False),  # how many versions the document holds: the optimistic check
    Column("document", JSON, nullable=False),
    Index("ix_rental_plans_product_id", "product_id"),
)

rental_units = Table(
    "rental_units",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("product_id", String(ID), nullable=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("region", String(16), nullable=False),
    Column("serial", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("application_id", String(ID), nullable=True),
    Column("contract_id", String(ID), nullable=True),
    utc_datetime("updated_at"),
    UniqueConstraint("product_id", "serial"),
    Index("ix_rental_units_product_id_region_status", "product_id", "region", "status"),
)

rental_slots = Table(
    "rental_slots",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("brand_id", BigInteger, nullable=False),
    Column("region", String(16), nullable=False),
    utc_datetime("starts_at"),
    utc_datetime("ends_at"),
    Column("capacity", Integer, nullable=False),
    Column("technician", String(64), nullable=True),  # migration rentals_0002
    Index("ix_rental_slots_brand_id_region_starts_at", "brand_id", "region", "starts_at"),
)

# One row per place in a slot: holding one is a conditional update of a single row, so two applicants can
# never both take the last place, and a hold that ran out is free again without a sweep.
rental_slot_places = Table(
    "rental_slot_places",
    metadata,
    Column("slot_id", String(ID), primary_key=True),
    Column("place", Integer, primary_key=True, autoincrement=False),
    Column("application_id", String(ID), nullable=True),
    utc_datetime("held_until", nullable=True),
    Column("confirmed", Boolean, nullable=False),
    Index("ix_rental_slot_places_application_id", "application_id"),
)

rental_applications = Table(
    "rental_applications",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("applicant_id", BigInteger, nullable=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("product_id", String(ID), nullable=False),
    Column("status", String(16), nullable=False),
    Column("step", String(24), nullable=False),
    utc_datetime("created_at"),
    utc_datetime("expires_at"),
    utc_datetime("updated_at"),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),  # everything but the personal data
    sealed("identity", IDENTITY_PURPOSE),
    sealed("address", ADDRESS_PURPOSE),
    Index("ix_rental_applications_brand_id_step_status", "brand_id", "step", "status"),
    Index("ix_rental_applications_status_expires_at", "status", "expires_at"),
    Index("ix_rental_applications_applicant_id", "applicant_id"),
    # The reminder sweep's window of applications left waiting (migration rentals_0002).
    Index("ix_rental_applications_status_updated_at", "status", "updated_at", "id"),
)

# Written only by insert; each row's hash covers the previous row's hash (subscriptions.rentals.event_log).
rental_application_log = Table(
    "rental_application_log",
    metadata,
    Column("application_id", String(ID), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    utc_datetime("at"),
    Column("data", JSON, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

rental_contracts = Table(
    "rental_contracts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("application_id", String(ID), nullable=False),
    Column("applicant_id", BigInteger, nullable=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("status", String(24), nullable=False),
    utc_datetime("signed_at"),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    # The booked installation, for the reminder sweep's window (migration rentals_0002).
    utc_datetime("installation_at", nullable=True),
    UniqueConstraint("application_id"),
    Index("ix_rental_contracts_applicant_id", "applicant_id"),
    Index("ix_rental_contracts_brand_id_status", "brand_id", "status"),
    Index("ix_rental_contracts_status_installation_at", "status", "installation_at", "id"),
    Index("ix_rental_contracts_brand_id_id", "brand_id", "id"),  # the close's pages (migration rentals_0007)
)

# A brand's month once closed (migration rentals_0007): the row is inserted first, in the close's own
# transaction, so a second close of the month finds it and books nothing. `summary` holds the report's figures.
rental_month_closes = Table(
    "rental_month_closes",
    metadata,
    Column("brand_id", BigInteger, primary_key=True, autoincrement=False),
    Column("month", String(7), primary_key=True),
    utc_datetime("closed_at"),
    Column("lines", Integer, nullable=False),
    Column("summary", JSON, nullable=False),
)

# Every subject's share of a closed month: what the close's transactions add up (migration rentals_0007).
rental_close_lines = Table(
    "rental_close_lines",
    metadata,
    Column("brand_id", BigInteger, primary_key=True, autoincrement=False),
    Column("month", String(7), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("subject", String(96), primary_key=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("party", String(40), nullable=False),
)

# --- the fleet (migration rentals_0004) ---------------------------------------------------------------------------
# rental_units gains the cost a unit was bought at and its depreciation terms (all empty for a unit bought before
# costs were kept), and the moment it left the fleet; brands' units are paged by (brand_id, id).
rental_units.append_column(Column("acquisition_cost", BigInteger, nullable=True))  # minor units
rental_units.append_column(Column("currency", String(3), nullable=True))
rental_units.append_column(Column("acquired_on", Date, nullable=True))
rental_units.append_column(Column("useful_life_months", Integer, nullable=True))
rental_units.append_column(Column("residual_value", BigInteger, nullable=True))
rental_units.append_column(utc_datetime("left_at", nullable=True))
Index("ix_rental_units_brand_id_id", rental_units.c.brand_id, rental_units.c.id)
Index("ix_rental_units_serial", rental_units.c.serial)

# Every move of a unit, written only by insert: its location history.
rental_unit_moves = Table(
    "rental_unit_moves",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(ID), nullable=False),
    utc_datetime("at"),
    Column("status", String(16), nullable=False),
    Column("region", String(16), nullable=False),
    Column("place", String(32), nullable=False),
    Column("contract_id", String(ID), nullable=True),
    Column("note", String(200), nullable=False),
    Index("ix_rental_unit_moves_unit_id_id", "unit_id", "id"),
)

# A contract's return, from the pickup booked to the deposit settled: a document beside the columns the brand's
# queue selects on, saved against its version.
rental_returns = Table(
    "rental_returns",
    metadata,
    Column("contract_id", String(ID), primary_key=True),
    Column("brand_id", BigInteger, nullable=False),
    Column("unit_id", String(ID), nullable=False),
    Column("customer_id", BigInteger, nullable=False),
    Column("status", String(24), nullable=False),
    utc_datetime("pickup_at"),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Index("ix_rental_returns_brand_id_status_pickup_at", "brand_id", "status", "pickup_at"),
)

# --- visits (migration rentals_0006) ---------------------------------------------------------------------------

# A brand's field staff: the person (their Telegram id), the name customers are told, a region and a capacity.
rental_technicians = Table(
    "rental_technicians",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("brand_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("name", String(32), nullable=False),  # as Korean customers are told
    Column("name_en", String(32), nullable=False),
    Column("region", String(16), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("hours", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    utc_datetime("created_at"),
    UniqueConstraint("brand_id", "user_id"),
    Index("ix_rental_technicians_brand_id_region", "brand_id", "region"),
    Index("ix_rental_technicians_user_id", "user_id"),
)

# A plan's visit policy (`subscriptions.rentals.visits.VisitPolicy`); a plan without one has the default.
rental_visit_policies = Table(
    "rental_visit_policies",
    metadata,
    Column("plan_id", String(ID), primary_key=True),
    Column("document", JSON, nullable=False),
)

# One row per visit. (contract, occurrence) is unique, so the sweep that lays visits out ahead inserts what is
# missing and nothing twice; the assignment, the day's schedule, the missed-visit sweep and the month-end
# close each read by their own index.
rental_visits = Table(
    "rental_visits",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("contract_id", String(ID), nullable=False),
    Column("customer_id", BigInteger, nullable=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("region", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("occurrence", String(64), nullable=False),
    utc_datetime("scheduled_at"),
    Column("status", String(16), nullable=False),
    Column("technician_id", String(ID), nullable=True),
    Column("checklist", JSON, nullable=False),
    Column("photos", JSON, nullable=False),
    Column("credit_minor", BigInteger, nullable=True),
    Column("currency", String(3), nullable=True),
    utc_datetime("missed_at", nullable=True),
    utc_datetime("completed_at", nullable=True),
    Column("moved_to", String(ID), nullable=True),
    Column("version", Integer, nullable=False),
    UniqueConstraint("contract_id", "occurrence"),
    Index("ix_rental_visits_status_technician_id_scheduled_at", "status", "technician_id", "scheduled_at", "id"),
    Index("ix_rental_visits_technician_id_scheduled_at", "technician_id", "scheduled_at"),
    Index("ix_rental_visits_customer_id_scheduled_at", "customer_id", "scheduled_at"),
    Index("ix_rental_visits_brand_id_status_missed_at", "brand_id", "status", "missed_at", "id"),
)

# A contract's schedule, one row per instalment (subscriptions.rentals.late), written when the rent starts and
# marked paid when billing records a term of the rent (migration rentals_0005). The covering index walks a
# brand's instalments in keyset order without touching the table: the month-end close reads it whole.
rental_instalments = Table(
    "rental_instalments",
    metadata,
    Column("contract_id", String(ID), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),
    utc_datetime("due_at"),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    utc_datetime("paid_at", nullable=True),
    Index("ix_rental_instalments_brand_id_contract_id", "brand_id", "contract_id", "number", "kind", "due_at",
          "paid_at", "amount_minor"),
    # The sweep's look for unpaid months come due.
    Index("ix_rental_instalments_paid_at_due_at", "paid_at", "due_at"),
)

# The months of rent paid late or not yet (the few), for the month-end close (migration rentals_0007).
LATE_INSTALMENTS = or_(rental_instalments.c.paid_at.is_(None), rental_instalments.c.paid_at > rental_instalments.c.due_at)
Index("ix_rental_instalments_late", rental_instalments.c.brand_id, rental_instalments.c.due_at,
      rental_instalments.c.contract_id, rental_instalments.c.number, rental_instalments.c.kind,
      rental_instalments.c.paid_at, rental_instalments.c.amount_minor, rental_instalments.c.currency,
      sqlite_where=LATE_INSTALMENTS, postgresql_where=LATE_INSTALMENTS)

# One sales commission per contract (subscriptions.rentals.commissions), migration rentals_0005.
rental_commissions = Table(
    "rental_commissions",
    metadata,
    Column("contract_id", String(ID), primary_key=True),
    Column("brand_id", BigInteger, nullable=False),
    Column("agent", String(48), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("clawback_months", Integer, nullable=False),
    utc_datetime("recorded_at"),
    Column("recorded_by", BigInteger, nullable=True),
    utc_datetime("started_at", nullable=True),
    utc_datetime("ended_at", nullable=True),
    Column("settlement", String(16), nullable=True),
    Column("settled_minor", BigInteger, nullable=True),
    Index("ix_rental_commissions_brand_id_contract_id", "brand_id", "contract_id"),
)

# When each installed contract's term ends and when the end-of-term sweep next looks at it (the end itself, or
# for a month-to-month plan the start of its last billed month, to bill one more); migration rentals_0005.
rental_term_ends = Table(
    "rental_term_ends",
    metadata,
    Column("contract_id", String(ID), primary_key=True),
    Column("brand_id", BigInteger, nullable=False),
    utc_datetime("ends_at"),
    utc_datetime("act_at"),
    Column("done", Boolean, nullable=False),
    Index("ix_rental_term_ends_done_act_at", "done", "act_at", "contract_id"),
    Index("ix_rental_term_ends_done_ends_at", "done", "ends_at", "contract_id"),
)
