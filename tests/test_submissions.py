"""Province submissions through GraphQL: who may write, all or nothing, revisions, review."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.models import Observation
from tests.support.graphql import gql
from tests.support.submissions import SUBMIT, bearer, staffing, stored_counts, token_for

PENDING = """
query($provinces: [ID!]) {
  observations(filter: {provinces: $provinces, indicators: ["staffing.it_staff"], years: [2023]}) {
    totalCount edges { node { value status revision } }
  }
}
"""


async def submit(
    client: httpx.AsyncClient,
    token: str | None,
    observations: list[dict[str, Any]],
    province: str = "83",
    **extra: Any,
) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    variables = {"input": {"province": province, "observations": observations, **extra}}
    data = await gql(client, SUBMIT, variables, headers=headers)
    return dict(data["submitObservations"])


async def test_a_province_token_stores_its_own_batch_pending_review(client, engine):
    token = await token_for(engine, "83")
    before = await stored_counts(engine)
    batch = [staffing(40), staffing(25, dimensions=[{"name": "employment", "value": "DEDICATED"}])]
    result = await submit(client, token, batch)
    assert result["userErrors"] == []
    assert result["accepted"] == 2
    assert {o["status"] for o in result["observations"]} == {"PENDING"}
    assert (await stored_counts(engine))[0] == before[0] + 2


async def test_a_province_token_may_not_write_for_another_province(client, engine):
    token = await token_for(engine, "83")
    before = await stored_counts(engine)
    result = await submit(client, token, [staffing()], province="Đắk Nông")
    assert result["accepted"] == 0
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("FORBIDDEN", ["province"])]
    assert await stored_counts(engine) == before


async def test_without_a_token_nothing_is_stored(client, engine):
    before = await stored_counts(engine)
    result = await submit(client, None, [staffing()])
    assert result["accepted"] == 0
    assert result["userErrors"][0]["code"] == "UNAUTHENTICATED"
    assert await stored_counts(engine) == before


@pytest.mark.parametrize("kind", ["unknown", "malformed", "revoked", "expired", "scheme"])
async def test_a_bad_token_of_any_kind_gets_the_same_401(client, engine, kind):
    from hub.auth import list_tokens, revoke_token

    if kind == "revoked":
        token = await token_for(engine, "83")
        (record,) = [t for t in await list_tokens(engine=engine) if t.province_code == "83"]
        await revoke_token(engine=engine, token_id=record.id)
        header = f"Bearer {token}"
    elif kind == "expired":
        header = f"Bearer {await token_for(engine, '83', expires_in=timedelta(seconds=-1))}"
    elif kind == "unknown":
        header = "Bearer hub_" + "A" * 43
    elif kind == "malformed":
        header = "Bearer not-a-token"
    else:
        header = "Basic dXNlcjpwYXNz"
    response = await client.post(
        "/graphql", json={"query": "{ indicators { code } }"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "message": "The API token is invalid, expired or revoked",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


BAD_ROWS = [
    ({"indicator": "no.such", "year": 2023, "value": 1}, "UNKNOWN_INDICATOR", ["indicator"]),
    (
        staffing(dimensions=[{"name": "colour", "value": "RED"}]),
        "UNKNOWN_DIMENSION",
        ["dimensions", "0", "name"],
    ),
    (
        staffing(dimensions=[{"name": "level", "value": "GALAXY"}]),
        "UNKNOWN_DIMENSION_VALUE",
        ["dimensions", "0", "value"],
    ),
    (
        staffing(dimensions=[{"name": "school_level", "value": "PRIMARY"}]),
        "DIMENSION_NOT_ALLOWED",
        ["dimensions", "0", "name"],
    ),
    (
        staffing(
            dimensions=[
                {"name": "level", "value": "PROVINCE"},
                {"name": "level", "value": "DISTRICT"},
            ]
        ),
        "DUPLICATE_DIMENSION",
        ["dimensions", "1", "name"],
    ),
    (
        {"indicator": "staffing.civil_servants_it_qualified_share", "year": 2023, "value": 101},
        "OUT_OF_RANGE",
        ["value"],
    ),
    (staffing(2.5), "NOT_A_WHOLE_NUMBER", ["value"]),
    (staffing(-1), "OUT_OF_RANGE", ["value"]),
    ({"indicator": "dti.workforce.index", "year": 2023, "value": 1.2}, "OUT_OF_RANGE", ["value"]),
    ({"indicator": "plans.budget", "year": 2023, "value": -5}, "OUT_OF_RANGE", ["value"]),
    ({"indicator": "dti.workforce.rank", "year": 2023, "value": 0}, "OUT_OF_RANGE", ["value"]),
    (
        {
            "indicator": "staffing.civil_servants_it_qualified_share",
            "year": 2023,
            "numerator": 10,
            "denominator": 5,
        },
        "NUMERATOR_EXCEEDS_DENOMINATOR",
        ["numerator"],
    ),
    (
        {
            "indicator": "staffing.civil_servants_it_qualified_share",
            "year": 2023,
            "value": 50,
            "numerator": 2061,
            "denominator": 2392,
        },
        "INCONSISTENT_SHARE",
        ["value"],
    ),
    (
        {"indicator": "staffing.civil_servants_it_qualified_share", "year": 2023, "numerator": 3},
        "INCOMPLETE_SHARE",
        ["denominator"],
    ),
    (staffing(numerator=1, denominator=2), "PARTS_NOT_ALLOWED", ["numerator"]),
    ({"indicator": "staffing.it_staff", "year": 2023}, "MISSING_VALUE", ["value"]),
    (staffing(year=1999), "YEAR_OUT_OF_RANGE", ["year"]),
    (staffing(year=2999), "YEAR_OUT_OF_RANGE", ["year"]),
    (staffing(period="summer"), "INVALID_PERIOD", ["period"]),
    (staffing(period="2021-08"), "INVALID_PERIOD", ["period"]),
    (staffing(comment="x" * 2001), "TOO_LONG", ["comment"]),
    (staffing(source={"title": "  "}), "BLANK", ["source", "title"]),
    (
        staffing(source={"title": "t", "url": "javascript:alert(1)"}),
        "INVALID_URL",
        ["source", "url"],
    ),
]


@pytest.mark.parametrize(("row", "code", "path"), BAD_ROWS, ids=[c for _, c, _ in BAD_ROWS])
async def test_each_validation_rule_refuses_the_whole_batch_with_code_and_path(
    client, engine, row, code, path
):
    token = await token_for(engine, "83")
    before = await stored_counts(engine)
    result = await submit(client, token, [staffing(7, period="2023-01"), row])
    assert result["accepted"] == 0
    assert result["observations"] == []
    assert {"code": code, "field": ["observations", "1", *path]} in [
        {"code": e["code"], "field": e["field"]} for e in result["userErrors"]
    ], result["userErrors"]
    assert await stored_counts(engine) == before


async def test_every_bad_row_is_reported_not_just_the_first(client, engine):
    token = await token_for(engine, "83")
    rows = [staffing(-1), staffing(1, period="2023-03"), staffing(2.5, period="2023-02")]
    result = await submit(client, token, rows)
    assert sorted(e["field"][1] for e in result["userErrors"]) == ["0", "2"]


async def test_the_same_figure_twice_in_a_batch_is_refused(client, engine):
    token = await token_for(engine, "83")
    result = await submit(client, token, [staffing(1), staffing(2)])
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("DUPLICATE_IN_BATCH", ["observations", "1"])
    ]


async def test_an_unknown_province_is_refused_with_its_path(client, engine):
    token = await token_for(engine)
    before = await stored_counts(engine)
    result = await submit(client, token, [staffing()], province="Atlantis")
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("UNKNOWN_PROVINCE", ["province"])
    ]
    assert await stored_counts(engine) == before


async def test_a_batch_over_the_size_limit_is_refused(engine, settings):
    import dataclasses

    import httpx

    from hub.app import create_app

    small = dataclasses.replace(settings, max_batch_size=2)
    app = create_app(small, engine=engine)
    token = await token_for(engine, "83")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        rows = [staffing(i, period=f"2023-0{i + 1}") for i in range(3)]
        result = await submit(client, token, rows)
    assert [e["code"] for e in result["userErrors"]] == ["BATCH_TOO_LARGE"]


async def test_text_is_stored_in_nfc(client, engine):
    import unicodedata

    token = await token_for(engine)
    nfd = unicodedata.normalize("NFD", "Ghi chú: số liệu ước tính")
    await submit(client, token, [staffing(comment=nfd)])
    async with engine.connect() as conn:
        comment = (
            await conn.execute(select(Observation.comment).where(Observation.comment.is_not(None)))
        ).scalar_one()
    assert comment == unicodedata.normalize("NFC", nfd)


async def test_a_share_given_by_its_parts_gets_its_value(client, engine):
    token = await token_for(engine)
    result = await submit(
        client,
        token,
        [
            {
                "indicator": "staffing.civil_servants_it_qualified_share",
                "year": 2023,
                "numerator": 2061,
                "denominator": 2392,
            }
        ],
    )
    assert result["observations"][0]["value"] == pytest.approx(86.16)


async def test_dry_run_reports_exactly_and_stores_nothing(client, engine):
    token = await token_for(engine, "83")
    before = await stored_counts(engine)
    good = await submit(client, token, [staffing()], dryRun=True)
    assert (good["accepted"], good["userErrors"]) == (0, [])
    bad_dry = await submit(client, token, [staffing(-1)], dryRun=True)
    bad_real = await submit(client, token, [staffing(-1)])
    assert bad_dry["userErrors"] == bad_real["userErrors"] != []
    assert await stored_counts(engine) == before


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_result(client, engine):
    token = await token_for(engine, "83")
    before = await stored_counts(engine)
    first = await submit(client, token, [staffing(40)], idempotencyKey="batch-7")
    again = await submit(client, token, [staffing(40)], idempotencyKey="batch-7")
    assert again == first
    assert (await stored_counts(engine))[0] == before[0] + 1
    other = await submit(client, token, [staffing(41)], idempotencyKey="batch-7")
    assert [e["code"] for e in other["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert (await stored_counts(engine))[0] == before[0] + 1


async def test_pending_figures_reach_their_province_and_the_ministry_only(client, engine):
    ben_tre, dak_nong, ministry = (
        await token_for(engine, "83"),
        await token_for(engine, "67"),
        await token_for(engine),
    )
    await submit(client, ben_tre, [staffing(40)])
    variables = {"provinces": ["83"]}
    anonymous = await gql(client, PENDING, variables)
    assert anonymous["observations"]["totalCount"] == 0
    for token, seen in ((ben_tre, 1), (ministry, 1), (dak_nong, 0)):
        data = await gql(client, PENDING, variables, headers=bearer(token))
        assert data["observations"]["totalCount"] == seen


REVIEW = """
mutation($id: ID!) { approveSubmission(id: $id) {
  submission { status decidedBy } userErrors { code } } }
"""
REJECT = """
mutation($id: ID!) { rejectSubmission(id: $id, reason: "figures do not add up") {
  submission { status decisionReason } userErrors { code } } }
"""


async def test_approval_makes_a_figure_public_and_rejection_does_not(client, engine):
    ben_tre, ministry = await token_for(engine, "83"), await token_for(engine)
    approved = await submit(client, ben_tre, [staffing(40)])
    rejected = await submit(client, ben_tre, [staffing(99, period="2023-06")])
    refused = await gql(client, REVIEW, {"id": approved["submissionId"]}, headers=bearer(ben_tre))
    assert refused["approveSubmission"]["userErrors"] == [{"code": "FORBIDDEN"}]
    done = await gql(client, REVIEW, {"id": approved["submissionId"]}, headers=bearer(ministry))
    assert done["approveSubmission"]["submission"]["status"] == "APPROVED"
    no = await gql(client, REJECT, {"id": rejected["submissionId"]}, headers=bearer(ministry))
    assert no["rejectSubmission"]["submission"] == {
        "status": "REJECTED",
        "decisionReason": "figures do not add up",
    }
    twice = await gql(client, REVIEW, {"id": approved["submissionId"]}, headers=bearer(ministry))
    assert twice["approveSubmission"]["userErrors"] == [{"code": "ALREADY_DECIDED"}]
    public = await gql(client, PENDING, {"provinces": ["83"]})
    assert [e["node"] for e in public["observations"]["edges"]] == [
        {"value": 40.0, "status": "APPROVED", "revision": 1}
    ]


CORRECT = """
mutation($input: CorrectObservationInput!) {
  correctObservation(input: $input) {
    observation { id revision value status revisions { revision value } }
    userErrors { field code }
  }
}
"""


async def test_a_correction_is_a_new_revision_and_the_history_stays(client, engine):
    ministry = await token_for(engine)
    first = await submit(client, ministry, [staffing(40)])
    old_id = first["observations"][0]["id"]
    corrected = await gql(
        client,
        CORRECT,
        {"input": {"id": old_id, "value": 42, "reason": "typo", "expectedRevision": 1}},
        headers=bearer(ministry),
    )
    observation = corrected["correctObservation"]["observation"]
    assert observation["revision"] == 2
    assert observation["revisions"] == [
        {"revision": 1, "value": 40.0},
        {"revision": 2, "value": 42.0},
    ]
    stale = await gql(
        client,
        CORRECT,
        {"input": {"id": old_id, "value": 43, "reason": "again", "expectedRevision": 1}},
        headers=bearer(ministry),
    )
    assert stale["correctObservation"]["userErrors"] == [
        {"field": ["observations", "0", "expectedRevision"], "code": "STALE_REVISION"}
    ]
    async with engine.connect() as conn:
        current = (
            (
                await conn.execute(
                    select(Observation.value).where(
                        Observation.indicator_code == "staffing.it_staff",
                        Observation.year == 2023,
                        Observation.is_current.is_(True),
                    )
                )
            )
            .scalars()
            .all()
        )
    assert current == [42.0]


LOCK = """
mutation($p: ID!, $y: Int!) { lockPeriod(province: $p, year: $y) {
  locked userErrors { code } } }
"""


async def test_a_locked_province_year_refuses_the_province_but_not_the_ministry(client, engine):
    ben_tre, ministry = await token_for(engine, "83"), await token_for(engine)
    refused = await gql(client, LOCK, {"p": "83", "y": 2023}, headers=bearer(ben_tre))
    assert refused["lockPeriod"]["userErrors"] == [{"code": "FORBIDDEN"}]
    locked = await gql(client, LOCK, {"p": "Bến Tre", "y": 2023}, headers=bearer(ministry))
    assert locked["lockPeriod"] == {"locked": True, "userErrors": []}
    before = await stored_counts(engine)
    result = await submit(client, ben_tre, [staffing()])
    assert [e["code"] for e in result["userErrors"]] == ["PERIOD_LOCKED"]
    assert await stored_counts(engine) == before
    assert (await submit(client, ministry, [staffing()]))["accepted"] == 1


SYNC = """
query($after: DateTime!) { observations(filter: {updatedAfter: $after}) {
  edges { node { value revision status } } } }
"""


async def test_updated_after_returns_new_and_newly_approved_figures(client, engine):
    ben_tre, ministry = await token_for(engine, "83"), await token_for(engine)
    seen = await gql(client, "{ observations(first: 1) { edges { node { updatedAt } } } }")
    moment = seen["observations"]["edges"][0]["node"]["updatedAt"]
    assert (await gql(client, SYNC, {"after": moment}))["observations"]["edges"] == []
    pending = await submit(client, ben_tre, [staffing(40)])
    assert (await gql(client, SYNC, {"after": moment}))["observations"]["edges"] == []
    await gql(client, REVIEW, {"id": pending["submissionId"]}, headers=bearer(ministry))
    nodes = [
        e["node"] for e in (await gql(client, SYNC, {"after": moment}))["observations"]["edges"]
    ]
    assert nodes == [{"value": 40.0, "revision": 1, "status": "APPROVED"}]


AUDIT = """
query($statuses: [SubmissionStatus!]) { submissions(statuses: $statuses) {
  nodes { kind status itemCount province { code } submittedBy } hasNextPage } }
"""


async def test_the_audit_trail_lists_submissions_by_province_and_status(client, engine):
    ben_tre, dak_nong, ministry = (
        await token_for(engine, "83"),
        await token_for(engine, "67"),
        await token_for(engine),
    )
    await submit(client, ben_tre, [staffing(1), staffing(2, period="2023-02")])
    await submit(client, dak_nong, [staffing(3)], province="67")
    everything = await gql(client, AUDIT, {"statuses": ["PENDING"]}, headers=bearer(ministry))
    assert [
        (n["province"]["code"], n["itemCount"]) for n in everything["submissions"]["nodes"]
    ] == [("67", 1), ("83", 2)]
    own = await gql(client, AUDIT, {}, headers=bearer(ben_tre))
    assert {n["province"]["code"] for n in own["submissions"]["nodes"]} == {"83"}
    body = await gql(client, AUDIT, {}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


PLAN = """
mutation($input: SubmitPlanInput!) { submitPlan(input: $input) {
  plan { number status revision targets { description value indicator { code } } }
  userErrors { field code } } }
"""


async def test_a_province_submits_a_plan_with_targets(client, engine):
    token = await token_for(engine, "83")
    plan = {
        "province": "83",
        "number": "99/KH-UBND",
        "kind": "PLAN",
        "title": "Kế hoạch thử nghiệm",
        "periodStart": 2026,
        "periodEnd": 2030,
        "targets": [
            {
                "indicator": "training.officials_trained_share",
                "description": "100% được đào tạo",
                "year": 2030,
                "value": 100,
            }
        ],
    }
    result = (await gql(client, PLAN, {"input": plan}, headers=bearer(token)))["submitPlan"]
    assert result["userErrors"] == []
    assert result["plan"]["status"] == "PENDING"
    assert result["plan"]["targets"][0]["indicator"] == {"code": "training.officials_trained_share"}
    bad = dict(
        plan,
        periodStart=2031,
        targets=[
            {
                "description": "x",
                "year": 2030,
                "value": 300,
                "indicator": "training.officials_trained_share",
            }
        ],
    )
    refused = (await gql(client, PLAN, {"input": bad}, headers=bearer(token)))["submitPlan"]
    assert {(tuple(e["field"]), e["code"]) for e in refused["userErrors"]} == {
        (("periodEnd",), "INVALID_PERIOD_RANGE"),
        (("targets", "0", "value"), "OUT_OF_RANGE"),
    }
    assert refused["plan"] is None


async def test_no_token_or_hash_appears_in_any_response(client, engine):
    from hub.auth import hash_token

    token = await token_for(engine, "83")
    response = await client.post(
        "/graphql",
        json={
            "query": SUBMIT,
            "variables": {"input": {"province": "83", "observations": [staffing()]}},
        },
        headers=bearer(token),
    )
    assert token not in response.text
    assert hash_token(token) not in response.text


async def test_concurrent_writers_keep_every_revision_and_one_latest(client, engine, backend):
    """Many writers of one figure at once: every revision kept, exactly one current.

    On SQLite writers serialise on the database lock; PostgreSQL is where they race.
    """
    writers, submissions_each = 6, 5
    tokens = [await token_for(engine) for _ in range(writers)]

    async def writer(index: int, token: str) -> list[int]:
        accepted = []
        for n in range(submissions_each):
            result = await submit(client, token, [staffing(index * 100 + n)])
            assert result["userErrors"] == [], result["userErrors"]
            accepted.append(result["accepted"])
        return accepted

    results = await asyncio.gather(*(writer(i, t) for i, t in enumerate(tokens)))
    assert sum(map(sum, results)) == writers * submissions_each
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(Observation.revision, Observation.is_current, Observation.value).where(
                    Observation.indicator_code == "staffing.it_staff",
                    Observation.province_code == "83",
                    Observation.year == 2023,
                )
            )
        ).all()
        current = (
            await conn.execute(
                select(func.count()).where(
                    Observation.indicator_code == "staffing.it_staff",
                    Observation.year == 2023,
                    Observation.is_current.is_(True),
                )
            )
        ).scalar_one()
    revisions = sorted(r.revision for r in rows)
    assert revisions == list(range(1, writers * submissions_each + 1))
    assert len({r.value for r in rows}) == writers * submissions_each
    assert current == 1
    latest = max(rows, key=lambda r: r.revision)
    assert latest.is_current


PLAN_REVIEW = """
mutation($id: ID!) { approveSubmission(id: $id) { submission { status } userErrors { code } } }
"""
PUBLIC_PLANS = '{ plans(province: "83") { number status revision } }'


async def test_plan_dry_run_idempotency_and_approval(client, engine):
    from sqlalchemy import select

    from hub.models import Submission

    ben_tre, ministry = await token_for(engine, "83"), await token_for(engine)
    plan = {
        "province": "83",
        "number": "4624/KH-UBND",
        "kind": "PLAN",
        "title": "Kế hoạch sửa đổi",
        "reason": "điều chỉnh mục tiêu",
    }
    before = await stored_counts(engine)
    dry = await gql(client, PLAN, {"input": {**plan, "dryRun": True}}, headers=bearer(ben_tre))
    assert dry["submitPlan"] == {"plan": None, "userErrors": []}
    assert await stored_counts(engine) == before
    keyed = {**plan, "idempotencyKey": "plan-1"}
    first = await gql(client, PLAN, {"input": keyed}, headers=bearer(ben_tre))
    again = await gql(client, PLAN, {"input": keyed}, headers=bearer(ben_tre))
    assert first == again
    assert first["submitPlan"]["plan"]["revision"] == 2
    assert (await stored_counts(engine))[1] == before[1] + 1
    public = await gql(client, PUBLIC_PLANS)
    assert [p["revision"] for p in public["plans"] if p["number"] == "4624/KH-UBND"] == [1]
    async with engine.connect() as conn:
        submission_id = (
            await conn.execute(select(Submission.id).where(Submission.kind == "PLAN"))
        ).scalar_one()
    approved = await gql(client, PLAN_REVIEW, {"id": str(submission_id)}, headers=bearer(ministry))
    assert approved["approveSubmission"]["submission"] == {"status": "APPROVED"}
    public = await gql(client, PUBLIC_PLANS)
    assert [p["revision"] for p in public["plans"] if p["number"] == "4624/KH-UBND"] == [2]
