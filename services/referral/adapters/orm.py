"""The referral service's own tables. No other service reads them."""
from __future__ import annotations

import sqlalchemy as sa

from services.common.db import UTCDateTime, common_tables

metadata = sa.MetaData()

referrals = sa.Table(
    "referrals",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("direction", sa.Integer, nullable=False),
    sa.Column("person", sa.String(200), nullable=False, server_default=""),
    sa.Column("partner_kind", sa.Integer, nullable=False),
    sa.Column("partner_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("target_organization", sa.String(31), nullable=False, server_default=""),
    sa.Column("source_organization", sa.String(31), nullable=False, server_default=""),
    # The sender's name for an incoming cross-node referral; unique so a redelivery finds it.
    sa.Column("source_referral", sa.String(200), nullable=True, unique=True),
    sa.Column("reason_category", sa.Integer, nullable=False),
    sa.Column("state", sa.Integer, nullable=False),
    sa.Column("consent_given", sa.Boolean, nullable=False, server_default=sa.false()),
    # Personal data that travelled with the person's consent (cross-node referrals only).
    sa.Column("contact_given_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("contact_phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("contact_language", sa.String(35), nullable=False, server_default=""),
    sa.Column("outcome", sa.String(60), nullable=False, server_default=""),
    sa.Column("declined_by", sa.String(10), nullable=False, server_default=""),
    sa.Column("delivery_state", sa.String(20), nullable=False, server_default=""),
    sa.Column("remote_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_referrals_created", "create_time", "id"),
    sa.Index("ix_referrals_state_created", "state", "create_time", "id"),
)

# Node-to-node calls waiting to be made: this service's outbox towards other
# nodes. A row is written in the same transaction as the change it carries and
# a worker delivers it, retrying until the other node answers.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("referral_id", sa.String(64), sa.ForeignKey("referrals.id"), nullable=False),
    # "referral" (ReceiveReferral) or "update" (ReceiveReferralUpdate)
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("target_organization", sa.String(31), nullable=False),
    # The serialized request; emptied once delivered (it may hold the shared contact).
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    # A status code and reason, never a message (those may quote data).
    sa.Column("last_error", sa.String(200), nullable=False, server_default=""),
    # The trace of the change that owes this call, so the trace continues at the other node.
    sa.Column("traceparent", sa.String(80), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("delivered_at", UTCDateTime, nullable=True),
    sa.Index("ix_deliveries_state", "state", "id"),
)

tables = {"referrals": referrals, "deliveries": deliveries, **common_tables(metadata)}
