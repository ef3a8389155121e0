"""Benchmark: bulk load of synthetic acts, then search latency and recall on spelling variants.

    RAQMANA_DEBUG=1 .venv/bin/python bench/civil_status_search.py --acts 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/civil_status_search.py \
        --acts 1000000

Prints figures and writes bench/results/civil-status-<database>-<acts>.json. A scratch database is created and
dropped (the test database of DATABASE_URL). Targets (issue 3): p95 < 50 ms, recall >= 95 %, >= 10k acts/s.
"""

import argparse
import statistics
import time

from django.db import connection
from harness import run_benchmark

BATCH = 20_000


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--acts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    options = parser.parse_args()
    run_benchmark(f"civil-status-{options.acts}", lambda: run(options.acts, options.queries))


def run(total, query_count):
    from raqmana.accounts.constants import Role
    from raqmana.accounts.models import User
    from raqmana.accounts.services import grant_role
    from raqmana.civil_status.models import Act
    from raqmana.civil_status.search import ActQuery, search_acts
    from raqmana.civil_status.services import load_historical_acts
    from raqmana.civil_status.synthetic import ActGenerator
    from raqmana.territories.constants import Level
    from raqmana.territories.models import CivilStatusOffice, Territory
    from raqmana.territories.services import import_territories

    import_territories()
    loader = User.objects.create_user("loader@bench.ma", None, full_name="Loader")
    dgct = User.objects.create_user("dgct@bench.ma", None, full_name="DGCT")
    grant_role(dgct, Role.DGCT, by=None, reason="bench")
    communes = list(Territory.objects.filter(level=Level.COMMUNE))
    offices = dict(CivilStatusOffice.objects.filter(territory__level=Level.COMMUNE).values_list("territory_id", "pk"))
    generator = ActGenerator(communes, offices)

    generate_seconds = load_seconds = 0.0
    loaded = 0
    while loaded < total:
        started = time.perf_counter()
        rows = [generator.birth(loader.pk) for _ in range(min(BATCH, total - loaded))]
        generate_seconds += time.perf_counter() - started
        started = time.perf_counter()
        loaded += load_historical_acts(rows, by=loader, reason="bench")
        load_seconds += time.perf_counter() - started
        print(f"  loaded {loaded:>9,} acts, {loaded / load_seconds:,.0f} acts/s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE civil_status_act")

    scope = Act.objects.visible_to(User.objects.get(pk=dgct.pk))
    sample = list(Act.objects.order_by("?")[:query_count]) if query_count else []
    latencies, found = {"latin": [], "arabic": []}, {"latin": 0, "arabic": 0}
    for act in sample:
        for script, typed in (
            ("latin", generator.misspell_latin(act.first_name_latin, act.family_name_latin)),
            ("arabic", generator.misspell_arabic(f"{act.first_name_ar} {act.family_name_ar}")),
        ):
            query = ActQuery(name=typed, birth_year=act.birth_date.year, birth_place_id=act.birth_place_id)
            started = time.perf_counter()
            results = search_acts(scope, query)
            latencies[script].append((time.perf_counter() - started) * 1000)
            found[script] += any(result.pk == act.pk for result in results)
    name_only = []
    for act in sample[:100]:
        started = time.perf_counter()
        search_acts(scope, ActQuery(name=generator.misspell_latin(act.first_name_latin, act.family_name_latin)))
        name_only.append((time.perf_counter() - started) * 1000)

    every = latencies["latin"] + latencies["arabic"]
    return {
        "acts": loaded,
        "load_acts_per_s": round(loaded / load_seconds),
        "generate_acts_per_s": round(loaded / generate_seconds),
        "queries": len(every),
        "search_p50_ms": round(statistics.median(every), 2),
        "search_p95_ms": round(percentile(every, 0.95), 2),
        "search_p95_latin_ms": round(percentile(latencies["latin"], 0.95), 2),
        "search_p95_arabic_ms": round(percentile(latencies["arabic"], 0.95), 2),
        "recall_latin_variants": round(found["latin"] / len(sample), 4),
        "recall_arabic_variants": round(found["arabic"] / len(sample), 4),
        "name_only_search_p50_ms": round(statistics.median(name_only), 2),
        "name_only_search_p95_ms": round(percentile(name_only, 0.95), 2),
    }


if __name__ == "__main__":
    main()
