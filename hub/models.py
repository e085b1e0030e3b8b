"""The relational model, in typed SQLAlchemy 2 ORM classes.

Observations and plans are never updated in place: every change is a new row with a
higher ``revision`` in the same series, and ``is_current`` marks the latest approved
revision, which is what public queries and rankings read.

Referential integrity is foreign keys everywhere but for ``observations`` on PostgreSQL,
whose references are checked by statement-level triggers (see ``Observation``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Province(Base):
    """A province-level unit (tỉnh or thành phố trực thuộc trung ương) of one era."""

    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"), index=True)
    former_names: Mapped[str] = mapped_column(Text)
    """JSON list of earlier names of this code, newest first (see ``hub.provinces``)."""


class ProvinceName(Base):
    """Every name a province may be looked up by, folded (no diacritics, lower case).

    ``valid_to`` is the last day a former name applied; null for the current name.
    """

    __tablename__ = "province_names"

    search_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)
    valid_to: Mapped[date | None] = mapped_column(Date)


class Dimension(Base):
    __tablename__ = "dimensions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))


class DimensionValue(Base):
    __tablename__ = "dimension_values"

    dimension_name: Mapped[str] = mapped_column(ForeignKey("dimensions.name"), primary_key=True)
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))


class Indicator(Base):
    __tablename__ = "indicators"

    code: Mapped[str] = mapped_column(String(96), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(16), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    higher_is_better: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(Text)
    year_min: Mapped[int] = mapped_column(Integer)


class IndicatorDimension(Base):
    """A disaggregation an indicator allows."""

    __tablename__ = "indicator_dimensions"

    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"), primary_key=True)
    dimension_name: Mapped[str] = mapped_column(ForeignKey("dimensions.name"), primary_key=True)


class Source(Base):
    """A document, article or report that figures and plans come from."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(1000))
    published_on: Mapped[date | None] = mapped_column(Date)
    publisher: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(200))
    seed: Mapped[str | None] = mapped_column(String(200))


class DimensionColumns:
    """One nullable column per disaggregation (see ``hub.dimensions``)."""

    dim_level: Mapped[str | None] = mapped_column(String(48))
    dim_qualification: Mapped[str | None] = mapped_column(String(48))
    dim_employment: Mapped[str | None] = mapped_column(String(48))
    dim_school_level: Mapped[str | None] = mapped_column(String(48))
    dim_audience: Mapped[str | None] = mapped_column(String(48))
    dim_sector: Mapped[str | None] = mapped_column(String(48))
    dim_training_mode: Mapped[str | None] = mapped_column(String(48))


# The rows a ranking reads: current totals (no breakdown). Spelled as the queries spell
# it (``hub.observations.is_total``), so that both databases see the partial index apply.
CURRENT_TOTALS = " AND ".join(
    ("is_current IS true", *(f"{name} IS NULL" for name in DimensionColumns.__annotations__))
)


# What observations reference. SQLite enforces them as foreign keys; PostgreSQL checks
# them once per statement with triggers (migration 0006), which a bulk COPY of 10,000
# rows pays a few milliseconds for instead of ~40 ms per foreign key.
OBSERVATION_REFERENCES = (
    ("indicator_code", "indicators.code"),
    ("province_code", "provinces.code"),
    ("source_id", "sources.id"),
    ("submission_id", "submissions.id"),
)


class Observation(DimensionColumns, Base):
    """One revision of one figure: an indicator's value for a province, period and breakdown.

    Its references to indicators, provinces, sources and submissions are foreign keys on
    SQLite only (``ddl_if``): on PostgreSQL the statement-level triggers of migration 0006
    give the same guarantees, with the same errors (SQLSTATE 23503, the same constraint
    names), checked once per statement instead of once per row. The constraints stay in
    the metadata, so that the ORM still orders inserts by them; ``hub.migrate`` tells
    Alembic's comparison not to expect them on PostgreSQL.
    """

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("series_key", "revision"),
        *(
            ForeignKeyConstraint([column], [target]).ddl_if(dialect="sqlite")
            for column, target in OBSERVATION_REFERENCES
        ),
        Index("ix_observations_indicator_year_current", "indicator_code", "year", "is_current"),
        # Also how reads filtered by province (and years) find their rows: a
        # (province, year) index cost every insert more than it saved them (0011).
        Index(
            "ix_observations_province_indicator_breakdown",
            "province_code",
            "indicator_code",
            "dimension_key",
            "year",
        ),
        Index(
            "ix_observations_current_totals",
            "indicator_code",
            "year",
            "province_code",
            "period",
            "id",
            postgresql_where=text(CURRENT_TOTALS),
            postgresql_include=["value"],
            sqlite_where=text(CURRENT_TOTALS),
        ),
        # Block-range (BRIN) indexes on PostgreSQL: a batch's rows are written together
        # with one submission id and one moment, so a range of pages summarised by its
        # lowest and highest value finds them; keeping one costs an insert almost
        # nothing, where the B-trees cost a 10,000-row COPY 11-13 ms each (0012).
        Index(
            "ix_observations_submission_id",
            "submission_id",
            postgresql_using="brin",
            postgresql_with={"autosummarize": "on"},
        ),
        Index(  # the updatedAfter filter
            "ix_observations_updated_at",
            "updated_at",
            postgresql_using="brin",
            postgresql_with={"autosummarize": "on"},
        ),
        # Only a source's delete or re-keying looks rows up by source: never a null one.
        Index(
            "ix_observations_source_id",
            "source_id",
            postgresql_where=text("source_id IS NOT NULL"),
            sqlite_where=text("source_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    series_key: Mapped[str] = mapped_column(String(400))
    revision: Mapped[int] = mapped_column(Integer)
    indicator_code: Mapped[str] = mapped_column(String(96))
    province_code: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    dimension_key: Mapped[str] = mapped_column(String(300))
    flag: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(Boolean)
    quote: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(Id)
    submission_id: Mapped[int | None] = mapped_column(Id)
    # On PostgreSQL both times default to now() (migration 0010), which a batch's COPY
    # relies on; SQLite's inserts always give them.
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """When this row last changed: stored, approved, rejected, or superseded."""


class Plan(Base):
    """One revision of a plan, decision, programme or strategy a province issued."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("plan_key", "revision"),
        Index("ix_plans_province_current", "province_code", "is_current"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    plan_key: Mapped[str] = mapped_column(String(400))
    revision: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    number: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(1000))
    issued_on: Mapped[date | None] = mapped_column(Date)
    issued_month: Mapped[str | None] = mapped_column(String(7))
    signer: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(Boolean)
    quote: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanLegalBasis(Base):
    """A document a plan states it is based on ("Căn cứ …")."""

    __tablename__ = "plan_legal_bases"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(1000))
    issued_on: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(300))


class Target(DimensionColumns, Base):
    """A target of a plan, linked to an indicator where the hub has one."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "position"),
        Index("ix_targets_indicator_year", "indicator_code", "year"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    position: Mapped[int] = mapped_column(Integer)
    indicator_code: Mapped[str | None] = mapped_column(ForeignKey("indicators.code"))
    description: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    comparator: Mapped[str] = mapped_column(String(4))
    dimension_key: Mapped[str] = mapped_column(String(300))
    quote: Mapped[str | None] = mapped_column(Text)


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; the clear text is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """One accepted submission (a batch of figures or a plan) and its review."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("token_id", "idempotency_key"),
        Index("ix_submissions_province_status_created", "province_code", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    submitted_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))  # only with a key
    item_count: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class PeriodLock(Base):
    """A province-year the ministry has locked: later changes need the ministry."""

    __tablename__ = "period_locks"

    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    locked_by: Mapped[str] = mapped_column(String(200))
    locked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DataVersion(Base):
    """One row whose ``version`` every write bumps inside its own transaction.

    The result cache keys entries by it: a cached answer is served only while the
    version it was computed under is still the database's, so it is never stale.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
