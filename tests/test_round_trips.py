"""Database round trips per request are pinned: an N+1 makes these fail.

Each loader sends one statement per batch. Two loads of the same loader coalesce into
one batch only when they fall in the same turn of the event loop, which depends on
scheduling; so a count is pinned at its worst case, every loader in its own batch,
plus the one statement of the result cache reading the data version. That bound does
not grow with the number of provinces or figures.
"""

from hub.db import count_statements
from tests.support.graphql import gql

ALL_PROVINCES_AND_FIGURES = """
{
  provinces(asOf: "2021-12-31") { code name successor { code name } predecessors { code } }
  observations(first: 1000) {
    totalCount
    edges { node { value province { code name successor { code } } indicator { code name }
                   source { title } dimensions { name value } } }
  }
}
"""

TARGETS_DASHBOARD = """
{
  provinces { code name successor { code name } }
  plans {
    number province { code name }
    targets { description indicator { code name unit } progress { latestValue met } }
    legalBases { number }
  }
}
"""


async def test_all_provinces_with_all_their_figures_take_a_fixed_number_of_statements(
    client, engine
):
    with count_statements(engine) as counter:
        data = await gql(client, ALL_PROVINCES_AND_FIGURES)
    # Enough rows that one statement per row could not hide under the bound.
    assert len(data["provinces"]) == 63
    assert len(data["observations"]["edges"]) > 9
    # provinces; their successors; their predecessors; observation count; page; the
    # figures' provinces; their successors; indicators; sources.
    assert counter.count <= 1 + 9, counter.statements


async def test_the_targets_dashboard_takes_a_fixed_number_of_statements(client, engine):
    with count_statements(engine) as counter:
        data = await gql(client, TARGETS_DASHBOARD)
    assert sum(len(plan["targets"]) for plan in data["plans"]) > 8
    # provinces; plans; successors; plan provinces; targets; legal bases; target
    # indicators; progress.
    assert counter.count <= 1 + 8, counter.statements
