"""Hot reads run by asyncpg itself (``hub.driver``) behave as SQLAlchemy's reads did:
same rows, counted and traced statements, the same errors, broken connections replaced."""

import asyncio
import datetime
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from sqlalchemy import JSON, Integer, bindparam, cast, literal, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError

from hub import data_version, telemetry
from hub.db import count_statements, create_engine
from hub.driver import DriverStatement, as_dbapi_error, fetch_rows, fetch_value
from hub.models import Province
from hub.ranking import national_ranking
from tests.support.databases import build_postgres_template
from tests.support.postgres import PrivatePostgres, start_private_postgres


def _provinces_named(prefix: str) -> DriverStatement:
    return DriverStatement(
        select(Province.code, Province.name)
        .where(Province.name.startswith(prefix))
        .order_by(Province.code)
    )


async def test_driver_rows_equal_sqlalchemy_rows(engine):
    statement = _provinces_named("Đ")
    async with engine.connect() as conn:
        expected = [tuple(row) for row in (await conn.execute(statement.statement)).all()]
    rows = await fetch_rows(engine, statement)
    assert [tuple(row) for row in rows] == expected
    assert len(expected) >= 5  # Đà Nẵng, Đắk Lắk, Đắk Nông, Điện Biên, Đồng Nai, ...
    assert await fetch_value(engine, "SELECT count(*) FROM provinces") == 63


async def test_a_driver_read_is_one_counted_statement(engine):
    statement = _provinces_named("B")
    with count_statements(engine) as counter:
        await fetch_rows(engine, statement)
        await fetch_rows(engine, statement)
        await fetch_value(engine, "SELECT 1")
    assert counter.count == 3, counter.statements


async def test_the_ranking_read_by_the_driver_answers_every_province(engine):
    ranked = await national_ranking(engine=engine, indicator_code="dti.workforce.index", year=2021)
    rows = ranked.rows
    assert len(rows) == 63
    assert ranked.data_version == await data_version.current(engine)
    ranks = [rank for _code, _value, rank, _official, _version in rows if rank is not None]
    assert ranks == sorted(ranks)
    dak_nong = next(row for row in rows if row[0] == "67")
    assert dak_nong[1] == pytest.approx(0.0538)
    assert dak_nong[3] == 58  # the rank Đắk Nông published, of 63


async def test_a_failed_driver_read_ends_its_span_with_an_error(database_url, spans):
    engine = create_engine(database_url)
    telemetry.instrument_engine(engine)
    try:
        with pytest.raises(DBAPIError):
            await fetch_value(engine, "SELECT no_such_column FROM provinces")
        await fetch_value(engine, "SELECT 1")
    finally:
        await engine.dispose()
    sql = [s for s in spans.get_finished_spans() if s.name.startswith("sql")]
    assert len(sql) == 2
    assert sql[0].status.status_code == trace.StatusCode.ERROR
    assert sql[1].status.status_code == trace.StatusCode.UNSET


def test_a_statement_whose_values_need_conversion_is_refused():
    engine = create_engine("postgresql+asyncpg://hub@127.0.0.1:1/none")
    needs_json = DriverStatement(select(cast(bindparam("doc", {"a": 1}, type_=JSON), JSON)))
    with pytest.raises(TypeError, match="conversion"):
        needs_json.postgresql(engine)
    plain = DriverStatement(
        select(literal(2, Integer)).where(literal(datetime.date(2021, 1, 1)).is_not(None))
    )
    sql, args = plain.postgresql(engine)
    assert "$1" in sql
    assert args == (2, datetime.date(2021, 1, 1))


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "kind", "invalidated"),
    [("23505", IntegrityError, False), ("57P01", DBAPIError, True), ("42703", DBAPIError, False)],
)
def test_driver_errors_read_as_sqlalchemy_errors(sqlstate, kind, invalidated):
    wrapped = as_dbapi_error(_DriverError(sqlstate), "SELECT")
    assert type(wrapped) is kind
    assert isinstance(wrapped, DBAPIError)
    assert wrapped.connection_invalidated is invalidated
    broken = as_dbapi_error(ConnectionResetError(), "SELECT")
    assert isinstance(broken, InterfaceError)
    assert broken.connection_invalidated
    other = ValueError("not the driver's")
    assert as_dbapi_error(other, "SELECT") is other


@pytest.fixture
def outage_server() -> Iterator[PrivatePostgres]:
    server = start_private_postgres()
    try:
        yield server
    finally:
        server.stop()


async def test_a_connection_broken_under_a_driver_read_is_replaced(outage_server):
    url = await asyncio.to_thread(build_postgres_template, outage_server.url)
    engine = create_engine(url)
    try:
        assert await fetch_value(engine, "SELECT 1") == 1
        await asyncio.to_thread(outage_server.pause)
        with pytest.raises(DBAPIError) as raised:
            await asyncio.wait_for(fetch_value(engine, "SELECT 1"), 15)
        assert raised.value.connection_invalidated
        await asyncio.to_thread(outage_server.resume)
        for _ in range(20):
            try:
                assert await fetch_value(engine, "SELECT 2") == 2
                break
            except DBAPIError:
                await asyncio.sleep(0.5)
        else:
            pytest.fail("the pool never gave a working connection again")
    finally:
        await engine.dispose()
