"""Operations' tables: one row per kind of alert, shared by every worker on the database.

A worker that finds a problem sends its alert only if it can move the kind's row first (`OpsRepository`), so
several workers watching the same outbox send one alert between them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, String, Table

from storage.metadata import metadata, utc_datetime

ops_alerts = Table(
    "ops_alerts",
    metadata,
    Column("kind", String(32), primary_key=True),  # outbox_lag | rate_limited | sweep_behind | error_rate
    Column("firing", Boolean, nullable=False, server_default="0"),  # an alert went out and no recovery since
    utc_datetime("last_sent_at", nullable=True),  # the last alert of this kind to the admins
    utc_datetime("changed_at"),
)
