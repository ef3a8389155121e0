"""Every event says where it happened: at a unit (and its territory), in a territory, where its actor works, or in
the whole country; only a person's own account has no place."""

import pytest

from raqmana.audit.services import record
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


def test_a_unit_places_the_event_in_its_territory(agent, temara_office):
    event = record(actor=agent, action="act.read", target=agent, unit=temara_office)
    assert (event.unit, event.territory) == (temara_office, temara_office.territory)


def test_an_event_with_no_target_place_happens_where_its_actor_works(agent, temara_office):
    event = record(actor=agent, action="act.searched", target=agent, actor_place=temara_office)
    assert (event.unit, event.territory) == (temara_office, temara_office.territory)
    assert (event.actor_unit, event.actor_territory) == (temara_office, temara_office.territory)
    province = Territory.objects.get(code="04.501")
    event = record(actor=agent, action="act.searched", target=agent, actor_place=province)
    assert (event.unit, event.territory, event.actor_unit, event.actor_territory) == (None, province, None, province)


def test_a_placed_action_given_no_place_is_refused(agent):
    with pytest.raises(ValueError, match="happens somewhere"):
        record(actor=agent, action="act.searched", target=agent)


def test_the_whole_country_is_a_place_said_explicitly(agent):
    event = record(actor=agent, action="act.searched", target=agent, national=True)
    assert (event.unit, event.territory) == (None, None)


def test_a_persons_own_account_has_no_place(agent):
    event = record(actor=agent, action="account.signed_in", target=agent)
    assert (event.unit, event.territory) == (None, None)
