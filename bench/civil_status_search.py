"""Benchmark: bulk load of synthetic acts, then search latency and recall on spelling variants.

    RAQMANA_DEBUG=1 .venv/bin/python bench/civil_status_search.py --acts 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/civil_status_search.py \
        --acts 1000000

Prints figures and writes bench/results/civil-status-<acts>-<database>[-<n>-processes].json. A scratch database
is created and dropped (the test database of DATABASE_URL). Targets (issue 3): p95 < 50 ms, recall >= 95 %,
>= 10k acts/s.

`--processes N` loads with N processes, each its own share of the offices, as a digitisation campaign loads
the registers of many offices at once; the load rate is then acts over wall-clock time, generation included.
"""

import argparse
import multiprocessing
import statistics
import time

from django.db import connection, connections
from harness import run_benchmark

BATCH = 20_000


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--acts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1)
    options = parser.parse_args()
    name = f"civil-status-{options.acts}" + (f"-{options.processes}-processes" if options.processes > 1 else "")
    run_benchmark(name, lambda: run(options.acts, options.queries, options.processes))


def generator_for(share=0, processes=1):
    """Births across the communes whose office falls in this process's share."""
    from raqmana.civil_status.synthetic import ActGenerator
    from raqmana.territories.constants import Level
    from raqmana.territories.models import CivilStatusOffice, Territory

    offices = dict(CivilStatusOffice.objects.filter(territory__level=Level.COMMUNE).values_list("territory_id", "pk"))
    communes = Territory.objects.filter(level=Level.COMMUNE)
    communes = [commune for commune in communes if offices[commune.pk] % processes == share]
    return ActGenerator(communes, offices, seed=share + 1)


def load(total, loader, share=0, processes=1):
    """Generate and load `total` acts in batches; returns the seconds spent in the loader."""
    from raqmana.civil_status.services import load_historical_acts

    generator = generator_for(share, processes)
    load_seconds, loaded = 0.0, 0
    while loaded < total:
        rows = [generator.birth(loader.pk) for _ in range(min(BATCH, total - loaded))]
        started = time.perf_counter()
        loaded += load_historical_acts(rows, by=loader, reason="bench")
        load_seconds += time.perf_counter() - started
        print(f"  [{share}] loaded {loaded:>9,} acts, {loaded / load_seconds:,.0f} acts/s", flush=True)
    return load_seconds


def _load_share(arguments):
    total, loader, share, processes = arguments
    try:
        return load(total, loader, share, processes)
    finally:
        connections.close_all()


def run(total, query_count, processes):
    from raqmana.accounts.constants import Role
    from raqmana.accounts.models import User
    from raqmana.accounts.services import grant_role
    from raqmana.civil_status.models import Act
    from raqmana.civil_status.search import ActQuery, search_acts
    from raqmana.territories.services import import_territories

    import_territories()
    loader = User.objects.create_user("loader@bench.ma", None, full_name="Loader")
    dgct = User.objects.create_user("dgct@bench.ma", None, full_name="DGCT")
    grant_role(dgct, Role.DGCT, by=None, reason="bench")
    started = time.perf_counter()
    if processes == 1:
        load_seconds = load(total, loader)
        generate_and_load_seconds = time.perf_counter() - started
    else:
        # Forked children must not share the parent's connection: each opens its own.
        connections.close_all()
        sizes = [total // processes + (share < total % processes) for share in range(processes)]
        shares = [(size, loader, share, processes) for share, size in enumerate(sizes)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_load_share, shares)
        load_seconds = generate_and_load_seconds = time.perf_counter() - started
    loaded = Act.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE civil_status_act")

    generator = generator_for()
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
        "load_processes": processes,
        "load_acts_per_s": round(loaded / load_seconds),
        "generate_and_load_acts_per_s": round(loaded / generate_and_load_seconds),
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
