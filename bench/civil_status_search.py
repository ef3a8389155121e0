"""Benchmark: bulk load of synthetic acts, then search latency, and recall on spelling variants.

    RAQMANA_DEBUG=1 .venv/bin/python bench/civil_status_search.py --acts 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/civil_status_search.py \
        --acts 10000000 --processes 2 --keep

Prints figures and writes bench/results/civil-status-<acts>-<database>[-<n>-processes].json. A scratch database
is created and dropped (the test database of DATABASE_URL); `--keep` leaves it, and `--reuse` measures again on
the one a `--keep` run left, without loading. Targets (issue 3): search with facts p95 < 50 ms, by a name alone
p95 < 250 ms, >= 10k acts/s, recall >= 95 %.

Two recalls are measured. The synthetic generator's own misspellings, searched with the birth year and commune
among all acts (as before). And an independent set, bench/data/name-variants.json: attested Latin and Arabic
spellings of real Moroccan names collected from public lists (sources in the file), not from the generator's
rules. For it, one probe act per name group is loaded into an arrondissement office the generator never uses,
half with Latin names and half in Arabic only (as old acts are); each spelling is typed with the partner name,
by an agent of that office, by name alone and with one more fact (the birth year, or the commune).

`--processes N` loads with N processes, each its own share of the offices, as a digitisation campaign loads
the registers of many offices at once; the load rate is then acts over wall-clock time, generation included.
"""

import argparse
import json
import multiprocessing
import statistics
import time
from pathlib import Path

from django.db import connection, connections
from harness import run_benchmark

BATCH = 20_000
VARIANTS = Path(__file__).resolve().parent / "data" / "name-variants.json"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--acts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the loaded database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left")
    options = parser.parse_args()
    name = f"civil-status-{options.acts}" + (f"-{options.processes}-processes" if options.processes > 1 else "")
    creation = connection.creation
    if options.keep or options.reuse:
        creation.destroy_test_db = lambda *args, **kwargs: None
    if options.reuse:
        test_name = creation._get_test_db_name()

        def use_kept_database(**kwargs):
            connection.close()
            connection.settings_dict["NAME"] = test_name
            return test_name

        creation.create_test_db = use_kept_database
    run_benchmark(name, lambda: run(options.acts, options.queries, options.processes, options.reuse))


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
    from raqmana.civil_status.services.bulk_load import load_historical_acts

    generator = generator_for(share, processes)
    load_seconds, loaded = 0.0, 0
    while loaded < total:
        rows = [generator.birth(loader.pk) for _ in range(min(BATCH, total - loaded))]
        started = time.perf_counter()
        loaded += load_historical_acts(rows, by=loader, reason="bench").loaded
        load_seconds += time.perf_counter() - started
        print(f"  [{share}] loaded {loaded:>9,} acts, {loaded / load_seconds:,.0f} acts/s", flush=True)
    return load_seconds


def _load_share(arguments):
    total, loader, share, processes = arguments
    try:
        return load(total, loader, share, processes)
    finally:
        connections.close_all()


def load_register(total, processes, loader):
    """Load `total` acts; returns (acts/s in the loader, acts/s over generation and loading)."""
    from raqmana.civil_status.models import Act

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
    return round(loaded / load_seconds), round(loaded / generate_and_load_seconds)


def run(total, query_count, processes, reuse):
    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.accounts.models import User
    from raqmana.civil_status.models import Act
    from raqmana.territories.services import import_territories

    figures = {}
    if reuse:
        loader, dgct = User.objects.get(email="loader@bench.ma"), User.objects.get(email="dgct@bench.ma")
        figures.update(loaded_by_an_earlier_run(total, processes))
    else:
        import_territories()
        loader = User.objects.create_user("loader@bench.ma", None, full_name="Loader")
        dgct = User.objects.create_user("dgct@bench.ma", None, full_name="DGCT")
        grant_role(dgct, Role.DGCT, by=None, reason="bench")
        load_rate, generate_and_load_rate = load_register(total, processes, loader)
        figures.update(load_processes=processes, load_acts_per_s=load_rate,
                       generate_and_load_acts_per_s=generate_and_load_rate)  # fmt: skip
    figures["acts"] = Act.objects.count()
    figures.update(measure_search(User.objects.get(pk=dgct.pk), query_count))
    figures.update(measure_variant_recall(loader, reuse))
    return figures


def loaded_by_an_earlier_run(total, processes):
    """The load figures of the --keep run whose database is reused (this run loads nothing)."""
    from harness import ROOT

    name = f"civil-status-{total}" + (f"-{processes}-processes" if processes > 1 else "")
    earlier = ROOT / "bench" / "results" / f"{name}-{connection.vendor}.json"
    figures = json.loads(earlier.read_text()) if earlier.exists() else {}
    return {key: value for key, value in figures.items() if key.startswith("load") or "and_load" in key}


def found_among_matches(scope, query, page, pk):
    """Whether the act is among the search's matches: on its first page, or on a later one (read untimed)."""
    from raqmana.civil_status.search import search_acts

    for number in range(1, page.page_count + 1):
        shown = page if number == 1 else search_acts(scope, query, page=number)
        if any(result.pk == pk for result in shown.acts):
            return True
    return False


def timed_search(scope, query):
    from raqmana.civil_status.search import search_acts

    started = time.perf_counter()
    found = search_acts(scope, query)
    return found, (time.perf_counter() - started) * 1000


def measure_search(dgct, query_count):
    """Latency with facts (a misspelt name, the birth year and commune) and by a name alone, over all acts."""
    from raqmana.access.scoping import visible_to
    from raqmana.civil_status.models import Act
    from raqmana.civil_status.search import ActQuery

    generator = generator_for()
    scope = visible_to(Act.objects.all(), dgct, "civil_status.act.read")
    sample = list(Act.objects.order_by("?")[:query_count]) if query_count else []
    latencies = {"latin": [], "arabic": []}
    found, on_first_page = {"latin": 0, "arabic": 0}, {"latin": 0, "arabic": 0}
    for act in sample:
        for script, typed in (
            ("latin", generator.misspell_latin(act.first_name_latin, act.family_name_latin)),
            ("arabic", generator.misspell_arabic(f"{act.first_name_ar} {act.family_name_ar}")),
        ):
            query = ActQuery(name=typed, birth_year=act.birth_date.year, birth_place_id=act.birth_place_id)
            page, milliseconds = timed_search(scope, query)
            latencies[script].append(milliseconds)
            on_first_page[script] += any(result.pk == act.pk for result in page.acts)
            found[script] += found_among_matches(scope, query, page, act.pk)
    name_only, matched = {"latin": [], "arabic": []}, []
    for act in sample[:100]:
        for script, typed in (
            ("latin", generator.misspell_latin(act.first_name_latin, act.family_name_latin)),
            ("arabic", generator.misspell_arabic(f"{act.first_name_ar} {act.family_name_ar}")),
        ):
            page, milliseconds = timed_search(scope, ActQuery(name=typed))
            name_only[script].append(milliseconds)
            matched.append(page.total)
    every, every_name_only = latencies["latin"] + latencies["arabic"], name_only["latin"] + name_only["arabic"]
    return {
        "queries": len(every),
        "search_p50_ms": round(statistics.median(every), 2),
        "search_p95_ms": round(percentile(every, 0.95), 2),
        "search_p95_latin_ms": round(percentile(latencies["latin"], 0.95), 2),
        "search_p95_arabic_ms": round(percentile(latencies["arabic"], 0.95), 2),
        "recall_latin_variants": round(found["latin"] / len(sample), 4),
        "recall_arabic_variants": round(found["arabic"] / len(sample), 4),
        # The synthetic names are few: a common one may have 100 acts in one commune and year, 20 a page.
        "recall_latin_variants_first_page": round(on_first_page["latin"] / len(sample), 4),
        "recall_arabic_variants_first_page": round(on_first_page["arabic"] / len(sample), 4),
        "name_only_queries": len(every_name_only),
        "name_only_search_p50_ms": round(statistics.median(every_name_only), 2),
        "name_only_search_p95_ms": round(percentile(every_name_only, 0.95), 2),
        "name_only_search_p95_latin_ms": round(percentile(name_only["latin"], 0.95), 2),
        "name_only_search_p95_arabic_ms": round(percentile(name_only["arabic"], 0.95), 2),
        "name_only_matches_median": statistics.median(matched),
    }


def probe_acts(loader, reuse):
    """One act per name group of the variant set, in an arrondissement office: (group, partner group, act)."""
    from raqmana.civil_status.models import Act
    from raqmana.civil_status.services.bulk_load import load_historical_acts
    from raqmana.territories.constants import Level
    from raqmana.territories.models import CivilStatusOffice

    groups = json.loads(VARIANTS.read_text())["groups"]
    office = CivilStatusOffice.objects.filter(territory__level=Level.ARRONDISSEMENT).order_by("code").first()
    firsts = [group for group in groups if group["kind"] == "first"]
    families = [group for group in groups if group["kind"] == "family"]
    pairs = [(group, families[index % len(families)]) for index, group in enumerate(firsts)]
    pairs += [(firsts[index % len(firsts)], group) for index, group in enumerate(families)]
    if not reuse:
        generator, rows = generator_for(), []
        for index, (first, family) in enumerate(pairs):
            row = generator.birth(loader.pk)
            with_latin = index % 2 == 0  # half of them old acts, written in Arabic only
            row.update(
                office_id=office.pk,
                register_volume="1",
                paper_number=str(index + 1),
                sex=first.get("sex", "M"),
                first_name_ar=first["arabic"],
                family_name_ar=family["arabic"],
                first_name_latin=first["latin"][0] if with_latin else "",
                family_name_latin=family["latin"][0] if with_latin else "",
                first_name_tfng="",
                family_name_tfng="",
            )
            rows.append(row)
        load_historical_acts(rows, by=loader, reason="bench: variant probes")
    acts = list(Act.objects.filter(office=office).order_by("pk")[: len(pairs)])
    return office, [(first, family, act) for (first, family), act in zip(pairs, acts, strict=True)]


def measure_variant_recall(loader, reuse):
    """Recall on the independent variant set, by name alone and with one more fact, per script of the query."""
    from raqmana.access.roles import Role
    from raqmana.access.scoping import visible_to
    from raqmana.access.services import grant_role
    from raqmana.accounts.models import User
    from raqmana.civil_status.models import Act
    from raqmana.civil_status.search import ActQuery

    office, probes = probe_acts(loader, reuse)
    if reuse:
        agent = User.objects.get(email="agent@bench.ma")
    else:
        agent = User.objects.create_user("agent@bench.ma", None, full_name="Agent")
        grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="bench")
    scope = visible_to(Act.objects.all(), User.objects.get(pk=agent.pk), "civil_status.act.read")
    outcomes, missed = {}, []
    for first, family, act in probes:
        for _, script, typed in _variant_queries(first, family):
            for fact, extra in (
                ("name_alone", {}),
                ("with_birth_year", {"birth_year": act.birth_date.year}),
                ("with_commune", {"birth_place_id": act.birth_place_id}),
            ):
                page, _ = timed_search(scope, ActQuery(name=typed, **extra))
                hit = any(result.pk == act.pk for result in page.acts)
                outcomes.setdefault((script, fact), []).append(hit)
                if not hit and fact == "name_alone":
                    missed.append(typed)
    figures = {"variant_set_queries": {script: len(outcomes[(script, "name_alone")]) for script in ("latin", "arabic")}}
    for (script, fact), hits in sorted(outcomes.items()):
        figures[f"variant_recall_{script}_{fact}"] = round(sum(hits) / len(hits), 4)
    figures["variant_misses_name_alone"] = sorted(set(missed))
    return figures


def _variant_queries(first, family):
    """Each variant spelling of the probe's first or family name, typed with the other name as usual."""
    for spelling in first["latin"]:
        yield first, "latin", f"{spelling} {family['latin'][0]}"
    for spelling in family["latin"]:
        yield family, "latin", f"{first['latin'][0]} {spelling}"
    for spelling in first["arabic_variants"]:
        yield first, "arabic", f"{spelling} {family['arabic']}"
    for spelling in family["arabic_variants"]:
        yield family, "arabic", f"{first['arabic']} {spelling}"


if __name__ == "__main__":
    main()
