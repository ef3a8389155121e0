"""A place named by its code in a form, and the chain of territories printed above an office's documents, are read
from the cache of reference data until the territories change; codes made up fill no cache."""

import pytest
from django.core.cache import cache, caches

from raqmana.territories.constants import Level
from raqmana.territories.models import Territory
from raqmana.territories.selectors import local_place, place_chain

pytestmark = pytest.mark.django_db

TEMARA = "04.501.01.07"


def test_a_commune_is_found_with_its_parent_then_costs_no_query(django_assert_num_queries):
    local_place(TEMARA)
    with django_assert_num_queries(0):
        temara = local_place(TEMARA)
        assert temara.level == Level.COMMUNE and temara.parent.level == Level.PREFECTURE


def test_an_arrondissement_is_a_local_place_and_a_province_is_not():
    arrondissement = Territory.objects.filter(level=Level.ARRONDISSEMENT).first()
    assert local_place(arrondissement.code) == arrondissement
    assert local_place(Territory.objects.get(code=TEMARA).parent.code) is None


def test_codes_made_up_fill_no_cache():
    local_place(TEMARA)
    kept = len(caches["local"]._cache)
    for number in range(50):
        assert local_place(f"99.{number:03}.01.01") is None
    assert len(caches["local"]._cache) == kept
    assert not [key for key in caches["local"]._cache if "99.0" in key]
    assert not [key for key in cache._cache if "99.0" in key]


def test_a_commune_renamed_holds_at_once(committed):
    local_place(TEMARA)
    temara = Territory.objects.get(code=TEMARA)
    temara.name_fr = "Témara-Ville"
    temara.save()
    committed()
    assert local_place(TEMARA).name_fr == "Témara-Ville"


def test_the_chain_runs_from_the_region_down_to_the_place(django_assert_num_queries):
    arrondissement = Territory.objects.filter(level=Level.ARRONDISSEMENT).first()
    chain = place_chain(arrondissement.pk)
    assert chain[0].level == Level.REGION and chain[-1] == arrondissement
    assert all(chain[index + 1].parent_id == chain[index].pk for index in range(len(chain) - 1))
    with django_assert_num_queries(0):
        assert place_chain(arrondissement.pk) == chain
