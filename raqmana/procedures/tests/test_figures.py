"""The public figures: per place and quarter, filed and decided, delays against the legal delay, silence, online,
members' late opinions; the communes' index. Aggregates only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from raqmana.procedures import figures
from raqmana.procedures.constants import DossierState
from raqmana.procedures.models import Dossier


def test_a_percentile_is_the_nearest_rank():
    assert figures.percentile([float(day) for day in range(1, 11)], 90) == 9.0
    assert figures.percentile([3.0], 90) == 3.0


def test_quarters_begin_and_end_where_the_calendar_says():
    quarter = figures.Quarter(2026, 4)
    assert quarter.start.date().isoformat() == "2026-10-01" and quarter.end.date().isoformat() == "2027-01-01"
    assert str(figures.Quarter.of(quarter.start.date())) == "2026-T4"


@pytest.fixture
def decided(filed, procedure):
    """The filed dossier decided by silence after its 10 days, and another one refused after 3 days."""
    now = timezone.now()
    Dossier.objects.filter(pk=filed.pk).update(
        state=DossierState.APPROVED_BY_SILENCE, filed_at=now - timedelta(days=10), decided_at=now
    )
    other = Dossier.objects.get(pk=filed.pk)
    other.pk, other.number, other.receipt, other.decision = None, 2, None, None
    other.state, other.filed_online = DossierState.REFUSED, False
    other.filed_at, other.decided_at = now - timedelta(days=3), now
    other.save()
    return filed, other


def test_the_figures_of_a_commune(decided, temara):
    quarter = figures.Quarter.of(timezone.localdate())
    rows = {row.code: row for row in figures.quarter_figures("commune", quarter)}
    temara_figures = rows["04.501.01.07"]
    assert temara_figures.filed == 2 and temara_figures.decided == 2
    assert temara_figures.silence_share == 0.5 and temara_figures.online_share == 0.5
    assert temara_figures.average_delay == 6.5 and temara_figures.within_delay_share == 1.0
    assert temara_figures.p90_delay is None  # two decisions make no 90th percentile
    assert temara_figures.tax_per_m2 == 20  # the national minimum until Témara sets its rate
    assert rows["01.051.01.07"].filed == 0  # a commune where nothing was filed is listed too


@pytest.mark.parametrize("level", ["office", "province", "region"])
def test_the_same_dossiers_add_up_at_every_level(decided, level):
    quarter = figures.Quarter.of(timezone.localdate())
    assert sum(row.decided for row in figures.quarter_figures(level, quarter)) == 2


def test_the_index_ranks_the_communes_that_decided(decided):
    rows = figures.commune_index(figures.Quarter.of(timezone.localdate()))
    assert [row.place.code for row in rows] == ["04.501.01.07"] and rows[0].rank == 1


def test_the_figures_are_public_in_the_api(decided, client):
    answer = client.get("/api/procedures/figures/province")
    assert answer.status_code == 200
    assert any(row["decided"] == 2 for row in answer.json())
    assert client.get("/api/procedures/figures/planet").status_code == 422
    assert client.get("/api/procedures/index?year=2026&quarter=5").status_code == 422
