"""Benchmark: load the whole territorial hierarchy, and read it through the scoping mechanism.

Prints figures and writes them to bench/results/territories.json. Runs on a fresh SQLite file by default;
set DATABASE_URL to measure PostgreSQL (a database of that name is created and dropped by the test runner).
    RAQMANA_DEBUG=1 .venv/bin/python bench/territories_load.py
"""

import statistics
import time

from harness import run_benchmark


def timed(function, repeat=1):
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return result, durations


def run():
    from raqmana.access.models import RoleAssignment
    from raqmana.access.roles import Role
    from raqmana.access.scoping import visible_to
    from raqmana.access.services import grant_role
    from raqmana.accounts.models import User
    from raqmana.portal.selectors import summarise, supervised_roots
    from raqmana.territories.models import CivilStatusOffice, Territory
    from raqmana.territories.services import import_territories

    first, (first_seconds,) = timed(import_territories)
    _again, again_seconds = timed(import_territories, repeat=3)

    # One agent per office, so scoped reads run over a realistic number of people.
    users = User.objects.bulk_create(
        User(email=f"agent{office.pk}@bench.ma", full_name=f"Agent {office.pk}")
        for office in CivilStatusOffice.objects.all()
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=Role.CIVIL_STATUS_AGENT, unit=office, territory_id=office.territory_id,
                       grant_reason="bench")
        for user, office in zip(users, CivilStatusOffice.objects.order_by("pk"), strict=True)
    )  # fmt: skip
    wali = User.objects.create(email="wali@bench.ma", full_name="Wali")
    grant_role(wali, Role.WALI_SERVICES, territory=Territory.objects.get(code="06"), by=None, reason="bench")
    dgct = User.objects.create(email="dgct@bench.ma", full_name="DGCT")
    grant_role(dgct, Role.DGCT, by=None, reason="bench")

    def fresh(user):
        return User.objects.get(pk=user.pk)  # no scope cached from an earlier read

    _rows, wali_offices = timed(lambda: len(visible_to(CivilStatusOffice.objects.all(), fresh(wali))), repeat=20)
    _rows, wali_people = timed(lambda: len(visible_to(RoleAssignment.objects.all(), fresh(wali))), repeat=20)
    _rows, national_summary = timed(lambda: summarise(fresh(dgct), supervised_roots(fresh(dgct))), repeat=10)
    region_summary_rows, region_summary = timed(
        lambda: summarise(fresh(wali), Territory.objects.filter(parent__code="06")), repeat=10
    )
    return {
        "territories_created": first.created,
        "hierarchy_links": first.links,
        "offices_created": first.offices_created,
        "first_load_s": round(first_seconds, 3),
        "reload_median_s": round(statistics.median(again_seconds), 3),
        "wali_visible_offices": visible_to(CivilStatusOffice.objects.all(), fresh(wali)).count(),
        "wali_offices_read_median_ms": round(statistics.median(wali_offices) * 1000, 2),
        "wali_agents_read_median_ms": round(statistics.median(wali_people) * 1000, 2),
        "national_summary_12_regions_median_ms": round(statistics.median(national_summary) * 1000, 2),
        "region_summary_rows": len(region_summary_rows),
        "region_summary_median_ms": round(statistics.median(region_summary) * 1000, 2),
    }


if __name__ == "__main__":
    run_benchmark("territories", run)
