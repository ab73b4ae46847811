"""Rule sets: named, versioned rule documents (pricing, loyalty) with validity windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, BigId, Timestamped, UTCDateTime, enum_column
from schemas.rules import RuleSetKind, RuleSetStatus


class RuleSet(Timestamped, Base):
    """A named rule set; its content lives in its versions. `key` is the natural key."""

    __tablename__ = "rule_sets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[RuleSetKind] = mapped_column(enum_column(RuleSetKind), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(100))

    versions: Mapped[list[RuleSetVersion]] = relationship(
        back_populates="rule_set", order_by="RuleSetVersion.version", lazy="raise"
    )


class RuleSetVersion(Timestamped, Base):
    """One version of a rule set: a draft while authored, immutable once published.

    `version` numbers the set's versions (1, 2, …); `row_version` guards concurrent writes.
    """

    __tablename__ = "rule_set_versions"
    __table_args__ = (UniqueConstraint("rule_set_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No index of its own: the unique (rule_set_id, version) leads with it.
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id", ondelete="RESTRICT"))
    version: Mapped[int]
    status: Mapped[RuleSetStatus] = mapped_column(enum_column(RuleSetStatus), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(100))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by: Mapped[str | None] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(default=1)

    rule_set: Mapped[RuleSet] = relationship(back_populates="versions", lazy="raise")

    __mapper_args__ = {"version_id_col": row_version}
