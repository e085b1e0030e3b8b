"""The fixtures say what the seed documents say, and the loader refuses what does not add up."""

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.db import create_engine
from hub.fixtures.load import load_fixtures, read_catalogue
from hub.fixtures.parse import FixtureError
from hub.models import Observation, Plan, Province, Source, Target
from hub.settings import FIXTURES_DIR

CATALOGUE = read_catalogue(FIXTURES_DIR)
SEEDS = FIXTURES_DIR / "seeds"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_seed_document_has_a_fixture_file():
    assert sorted(d.seed for d in CATALOGUE.documents) == sorted(
        p.name for p in SEEDS.glob("*.txt")
    )


@pytest.mark.parametrize("document", CATALOGUE.documents, ids=lambda d: d.path)
def test_every_quote_stands_in_its_seed_document(document):
    seed = _flat((SEEDS / document.seed).read_text(encoding="utf-8"))
    for figure in document.observations:
        assert _flat(figure.quote) in seed, figure.where
    for plan in document.plans:
        if plan.quote:
            assert _flat(plan.quote) in seed, plan.where
        for target in plan.targets:
            if target.quote:
                assert _flat(target.quote) in seed, target.where


@pytest.mark.parametrize("document", CATALOGUE.documents, ids=lambda d: d.path)
def test_every_written_number_of_a_figure_stands_in_its_quote(document):
    for figure in document.observations:
        for number in (figure.value, figure.numerator, figure.denominator):
            if number is not None:
                assert number.text in figure.quote, f"{figure.where}: {number.text}"


def test_the_registry_has_the_63_units_and_the_2025_lineage():
    provinces = {p.code: p for p in CATALOGUE.provinces}
    assert len(provinces) == 63
    assert sum(p.valid_to is None for p in provinces.values()) == 34
    assert (provinces["67"].name, provinces["67"].successor) == ("Đắk Nông", "68")
    assert (provinces["83"].name, provinces["83"].successor) == ("Bến Tre", "86")
    assert (provinces["54"].name, provinces["54"].successor) == ("Phú Yên", "66")
    assert provinces["22"].successor is None
    assert provinces["22"].valid_to is None


def _copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, target)
    return target


def _edit_document(folder: Path, name_part: str, edit) -> None:
    path = next((folder / "documents").glob(f"*{name_part}*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_stated_share_that_disagrees_with_its_parts_refuses_the_file(tmp_path):
    folder = _copy_fixtures(tmp_path)

    def corrupt(data):
        share = next(o for o in data["observations"] if o.get("numerator") == "2.061")
        share["value"] = "87,2"

    _edit_document(folder, "ben-tre", corrupt)
    with pytest.raises(FixtureError, match=r"87,2% disagrees with 2\.061/2\.392"):
        read_catalogue(folder)


def test_an_unknown_indicator_refuses_the_file(tmp_path):
    folder = _copy_fixtures(tmp_path)
    _edit_document(folder, "ben-tre", lambda d: d["observations"][0].update(indicator="nope"))
    with pytest.raises(FixtureError, match="unknown indicator 'nope'"):
        read_catalogue(folder)


async def _counts(engine) -> tuple[int, ...]:
    async with engine.connect() as conn:
        return tuple(
            [
                (await conn.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Province, Source, Observation, Plan, Target)
            ]
        )


async def test_loading_twice_stores_nothing_twice(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        first = await load_fixtures(engine, FIXTURES_DIR)
        after_first = await _counts(engine)
        second = await load_fixtures(engine, FIXTURES_DIR)
        assert await _counts(engine) == after_first
        assert first.stored > 0
        assert second.stored == 0
    finally:
        await engine.dispose()


async def test_a_changed_figure_becomes_a_new_revision_and_the_old_one_stays(
    empty_database_url, tmp_path
):
    folder = _copy_fixtures(tmp_path)
    engine = create_engine(empty_database_url)
    try:
        await load_fixtures(engine, FIXTURES_DIR)
        before = await _counts(engine)

        def correct(data):
            figure = next(o for o in data["observations"] if o.get("numerator") == "2.061")
            figure["numerator"], figure["value"] = "2.062", "86,2"

        _edit_document(folder, "ben-tre", correct)
        report = await load_fixtures(engine, folder)
        assert sum(d.observations_revised for d in report.documents) == 1
        after = await _counts(engine)
        assert after[2] == before[2] + 1
        async with engine.connect() as conn:
            revisions = (
                await conn.execute(
                    select(Observation.revision, Observation.is_current, Observation.numerator)
                    .where(Observation.numerator.in_([2061, 2062]))
                    .order_by(Observation.revision)
                )
            ).all()
        assert [tuple(r) for r in revisions] == [(1, False, 2061.0), (2, True, 2062.0)]
    finally:
        await engine.dispose()
