"""Access: accounts of people, API keys of services, and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, BigId, Timestamped, UTCDateTime


class Grant:
    """What a user or key may do: roles, and the rows a scoped role sees (its dealer, its
    networks, or itself as a technician)."""

    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealers.id", ondelete="RESTRICT"))
    network_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id", ondelete="RESTRICT"))


class User(Grant, Timestamped, Base):
    """A person who logs in with a password (argon2id hash, never the password)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Tokens issued before this instant are refused: set on password change and deactivation.
    tokens_valid_after: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiKey(Grant, Timestamped, Base):
    """A service's key: the public prefix finds the row, the SHA-256 of the secret proves it
    (a random 256-bit secret needs no slow hash)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    rate_limit_per_minute: Mapped[int | None]
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what to which object, and which fields changed (names, never values: values
    may be personal data). Written in its own transaction, refused attempts included."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))  # user | api_key | system | anonymous
    actor_id: Mapped[int | None] = mapped_column(BigId)
    actor_name: Mapped[str] = mapped_column(String(100), index=True)
    operation: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None] = mapped_column(BigId)
    changes: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(16))  # ok | refused | error
    error_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    client: Mapped[str | None] = mapped_column(String(64))
