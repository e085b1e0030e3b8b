"""Closed sets of the domain, as GraphQL enums (the values are what the database stores)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The area of digital-workforce reporting an indicator belongs to.")
class Topic(Enum):
    PLANS = strawberry.enum_value("PLANS", description="Plans, programmes and their budgets.")
    INDICATORS = strawberry.enum_value(
        "INDICATORS", description="Composite indices such as the DTI and their ranks."
    )
    STAFFING = strawberry.enum_value(
        "STAFFING", description="IT and digital-transformation staff of state agencies."
    )
    TRAINING = strawberry.enum_value(
        "TRAINING", description="Training of officials, teachers, citizens and workers."
    )


@strawberry.enum(description="The unit an indicator's values are expressed in.")
class Unit(Enum):
    COUNT = strawberry.enum_value("COUNT", description="A whole number of people, units or events.")
    PERCENT = strawberry.enum_value("PERCENT", description="A share from 0 to 100.")
    INDEX = strawberry.enum_value("INDEX", description="An index value from 0 to 1.")
    RANK = strawberry.enum_value("RANK", description="A position in a ranking, 1 being first.")
    VND = strawberry.enum_value("VND", description="Vietnamese đồng.")


@strawberry.enum(description="The kind of document a province issued.")
class PlanKind(Enum):
    PLAN = strawberry.enum_value("PLAN", description="Kế hoạch: a plan.")
    DECISION = strawberry.enum_value("DECISION", description="Quyết định: a decision.")
    RESOLUTION = strawberry.enum_value("RESOLUTION", description="Nghị quyết: a resolution.")
    PROGRAMME = strawberry.enum_value(
        "PROGRAMME", description="Chương trình or đề án: a programme or project."
    )
    STRATEGY = strawberry.enum_value("STRATEGY", description="Chiến lược: a strategy.")


@strawberry.enum(description="What kind of province-level unit a province is.")
class ProvinceKind(Enum):
    PROVINCE = strawberry.enum_value("PROVINCE", description="Tỉnh: a province.")
    CITY = strawberry.enum_value(
        "CITY", description="Thành phố trực thuộc trung ương: a centrally governed city."
    )


@strawberry.enum(
    description="The status of a figure, after SDMX's observation-status codes (A, P, E)."
)
class ObservationFlag(Enum):
    FINAL = strawberry.enum_value("FINAL", description="A normal, final value (SDMX A).")
    PROVISIONAL = strawberry.enum_value(
        "PROVISIONAL", description="A provisional value that may be revised (SDMX P)."
    )
    ESTIMATED = strawberry.enum_value(
        "ESTIMATED",
        description='An estimate, e.g. a figure the source gives as "khoảng" (about) (SDMX E).',
    )


@strawberry.enum(description="How a target's value is to be compared with a result.")
class Comparator(Enum):
    GT = strawberry.enum_value("GT", description='More than the value ("trên 80%").')
    GE = strawberry.enum_value("GE", description="At least the value.")
    EQ = strawberry.enum_value("EQ", description="Exactly the value.")
    LE = strawberry.enum_value("LE", description="At most the value.")
    LT = strawberry.enum_value("LT", description="Less than the value.")


@strawberry.enum(description="Where a submitted figure or plan stands in the ministry's review.")
class SubmissionStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Submitted by a province, not yet reviewed; not public."
    )
    APPROVED = strawberry.enum_value(
        "APPROVED", description="Approved (or published by the ministry); public."
    )
    REJECTED = strawberry.enum_value("REJECTED", description="Rejected by the ministry.")


@strawberry.enum(description="What a submission carries.")
class SubmissionKind(Enum):
    OBSERVATIONS = strawberry.enum_value("OBSERVATIONS", description="A batch of figures.")
    PLAN = strawberry.enum_value("PLAN", description="A plan with its targets.")
