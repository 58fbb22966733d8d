"""`make bench`: build (or reuse) a synthetic database on SQLite and PostgreSQL, measure, write RESULTS.md.

    python -m bench [--persons 1000000] [--runs 5] [--import-rows N]
                    [--postgres-url URL | --no-postgres]

Every figure is a median over --runs runs after one warm-up, beside a baseline measured in
the same run on the same data: the same aggregates as raw SQL through the database driver
(the limit), and for facets Datasette over the same SQLite file.
"""

import argparse
import asyncio
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from bench import imports as import_bench
from bench import raw_sql
from bench.generate import Sizes, generate
from tracker import create_app
from tracker.config import normalise_database_url
from tracker.dashboard.filters import parse_filters
from tracker.dashboard.services import summarise
from tracker.extensions import db

HERE = Path(__file__).resolve().parent
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/bench"
BENCH_USER = "bench-analyst@example.org"
BENCH_PASSWORD = "bench password for a synthetic database"
EXPORT_TRACED_ROWS = 100_000


@dataclass
class Result:
    database: str
    measure: str
    ours: float
    baseline: float
    baseline_name: str
    goal: float | None  # the ratio to stay under, if the issue sets one
    within: float | None = None  # the seconds to stay under, if the issue sets that instead
    rows: int = 0  # the rows a measure handled, with `rate`
    rate: float | None = None  # the rows per second to reach, if the issue sets that instead

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def goal_text(self) -> str:
        if self.rate is not None:
            return f"≥ {self.rate:,.0f} rows/s"
        if self.within is not None:
            return f"≤ {self.within * 1000:g} ms"
        return f"≤ {self.goal:g}×" if self.goal else ""

    @property
    def met(self) -> str:
        if self.rate is not None:
            return "yes" if self.ours and self.rows / self.ours >= self.rate else "**no**"
        if self.within is not None:
            return "yes" if self.ours <= self.within else "**no**"
        return "" if self.goal is None else ("yes" if self.ratio <= self.goal else "**no**")


def median_time(action: Callable[[], Any], runs: int, warm_up: bool = True) -> float:
    """Median wall-clock seconds of `action` over `runs` runs, after one warm-up run."""
    if warm_up:
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _app(url: str, cache: str = "null"):  # type: ignore[no-untyped-def]
    """The tracker on `url`; every summary computed afresh unless `cache` names a store."""
    return create_app(
        {
            "CACHE_URL": cache,
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )


def prepare(url: str, sizes: Sizes) -> tuple[Any, float | None]:
    """A migrated database holding exactly `sizes`; generated only when it does not already."""
    app = _app(url)
    build_seconds = None
    with app.app_context():
        upgrade()
        from tracker.events.models import RepatriationEvent
        from tracker.persons.models import Person

        # The generated persons have ids 1..N; the load test's researcher adds a few after them.
        generated = select(func.count()).select_from(Person).where(Person.id <= sizes.persons)
        present = db.session.execute(generated).scalar_one()
        events = db.session.execute(select(func.count(RepatriationEvent.id))).scalar_one()
        if present != sizes.persons or events != sizes.events:
            db.session.remove()
            if present:
                _empty(url)
                upgrade()
            print(f"  generating {sizes} …", flush=True)
            start = time.perf_counter()
            counts = generate(db.engine, sizes)
            build_seconds = time.perf_counter() - start
            print(f"  {sum(counts.values()):,} rows in {build_seconds:.0f}s", flush=True)
        from tracker.accounts import services

        if services.find_user(BENCH_USER) is None:
            services.create_user(None, BENCH_USER, BENCH_PASSWORD, "analyst")
            db.session.commit()
        db.session.remove()
    _vacuum(url)
    return app, build_seconds


def _vacuum(url: str) -> None:
    """Leave a PostgreSQL database as autovacuum keeps one in use: its visibility map set, so
    that a query covered by an index reads the index alone (this machine's server runs with
    autovacuum off, and a table just loaded by COPY has no page marked all-visible). Quick
    when nothing changed since the last run."""
    if not url.startswith("postgresql"):
        return
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def generated_database(database: str, persons: int, postgres_url: str = DEFAULT_POSTGRES) -> str:
    """Where the generated database of `persons` lives: one per size and database, shared by
    `make bench` and `make load`, so a size is generated once."""
    if database == "sqlite":
        return f"sqlite:///{HERE / 'data'}/persons-{persons}.db"
    return postgres_url.rstrip("/") + f"_{persons}"


def _empty(url: str) -> None:
    db.engine.dispose()  # no pooled connection may keep the old file or schema alive
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink()
        return
    with db.engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        connection.commit()
    db.engine.dispose()


def _raw_connection(url: str) -> Any:
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def measure_export(name: str, raw: Any, dialect: str, runs: int, notes: list[str]) -> list[Result]:
    """The streamed CSV export of every person beside a plain csv.writer over the same query."""
    from bench import export
    from tracker.persons.models import Person

    rows = db.session.execute(
        select(func.count()).select_from(Person).where(Person.deleted_at.is_(None))
    ).scalar_one()
    # A million-row export takes a minute or more: two runs each, no warm-up (the dashboard
    # measures have already warmed the caches), and the heap traced over the first rows only
    # (tracemalloc slows Python several times; a streamed export's heap does not grow with rows).
    export_runs = max(1, min(runs, 2))
    ours = median_time(export.our_export(), export_runs, warm_up=False)
    baseline = median_time(export.plain_csv(raw, dialect), export_runs, warm_up=False)
    first = export.first_chunk_seconds()
    traced = min(rows, EXPORT_TRACED_ROWS)
    our_peak = export.peak_memory_mib(export.our_export(traced))
    plain_peak = export.peak_memory_mib(export.plain_csv(raw, dialect, traced))
    notes.append(
        f"- {name}, CSV export of {rows:,} persons: ours {rows / ours:,.0f} rows/s, plain "
        f"csv.writer over the same query {rows / baseline:,.0f} rows/s; first chunk ready after "
        f"{first:.3f}s; peak Python heap over the first {traced:,} rows {our_peak:.1f} MiB "
        f"(plain: {plain_peak:.1f} MiB)."
    )
    print(f"  {notes[-1][2:]}", flush=True)
    return [Result(name, "CSV export, every person", ours, baseline, "csv.writer", None)]


def measure_database(
    name: str, url: str, sizes: Sizes, runs: int, notes: list[str] | None = None
) -> list[Result]:
    """Every measure for one database."""
    print(f"{name}: preparing", flush=True)
    app, _ = prepare(url, sizes)
    raw = _raw_connection(url)
    dialect = "postgresql" if url.startswith("postgres") else "sqlite"
    results = []
    notes = notes if notes is not None else []
    with app.app_context():
        for label, typical in (
            ("all filters off", False),
            ("typical filter (Oct 2023, Jilin)", True),
        ):
            filters = parse_filters(raw_sql.TYPICAL if typical else {})
            ours = median_time(lambda f=filters: summarise(f), runs)
            queries = raw_sql.dashboard_queries(dialect, typical)
            baseline = median_time(lambda q=queries: raw_sql.run_all(raw, q), runs)
            results.append(Result(name, f"dashboard data, {label}", ours, baseline, "raw SQL", 1.5))
            print(f"  {results[-1].measure}: {ours:.3f}s vs {baseline:.3f}s", flush=True)

        client = app.test_client()
        response = client.post("/login", data={"email": BENCH_USER, "password": BENCH_PASSWORD})
        assert response.status_code == 302, f"bench login failed: {response.status_code}"
        for label, typical in (
            ("all filters off", False),
            ("typical filter (Oct 2023, Jilin)", True),
        ):
            query = (
                "?" + "&".join(f"{k}={v}" for k, v in raw_sql.TYPICAL.items()) if typical else ""
            )

            def page(q: str = query) -> None:
                reply = client.get("/" + q)
                assert reply.status_code == 200, reply.status_code

            ours = median_time(page, runs)
            queries = raw_sql.dashboard_queries(dialect, typical)
            baseline = median_time(lambda q=queries: raw_sql.run_all(raw, q), runs)
            results.append(
                Result(name, f"dashboard page (HTTP), {label}", ours, baseline, "raw SQL", 2.0)
            )
            print(f"  {results[-1].measure}: {ours:.3f}s vs {baseline:.3f}s", flush=True)

        results.append(warm_dashboard(name, url, raw, dialect, runs))

        def list_page() -> None:
            reply = client.get("/persons?status=vanished&page=201")
            assert reply.status_code == 200, reply.status_code

        ours = median_time(list_page, runs)
        baseline = median_time(lambda: raw_sql.run_all(raw, raw_sql.list_page_queries()), runs)
        results.append(
            Result(
                name, "persons list, filtered, offset 5,000 (HTTP)", ours, baseline, "raw SQL", 2.0
            )
        )
        print(f"  {results[-1].measure}: {ours:.3f}s vs {baseline:.3f}s", flush=True)

        from tracker.dashboard import services
        from tracker.dashboard.filters import Filters

        def our_facets() -> None:
            services.status_and_gender(Filters())
            services.reported_per_crossing(Filters())

        ours = median_time(our_facets, runs)
        baseline = median_time(lambda: raw_sql.run_all(raw, raw_sql.facet_queries()), runs)
        results.append(
            Result(name, "facets: status, gender, crossing", ours, baseline, "raw SQL", 1.5)
        )
        from bench import estimate

        lists = estimate.seed(100_000)
        ours = median_time(estimate.ours(lists), runs)
        baseline = median_time(estimate.raw_grouped(raw), runs)
        results.append(
            Result(
                name,
                "stepwise estimate, 100,000 persons on six lists",
                ours,
                baseline,
                "raw grouped SQL",
                None,
                within=1.0 if dialect == "sqlite" else None,
            )
        )
        print(f"  {results[-1].measure}: {ours:.3f}s vs {baseline:.3f}s", flush=True)
        results += name_search(name, raw, runs)
        results += measure_export(name, raw, dialect, runs, notes)
        if dialect == "sqlite":
            datasette = datasette_facets(url.removeprefix("sqlite:///"), runs)
            if datasette is not None:
                results.append(
                    Result(
                        name, "facets: status, gender, crossing", ours, datasette, "Datasette", 1.0
                    )
                )
        db.session.remove()
        db.engine.dispose()
    raw.close()
    return results


def warm_dashboard(name: str, url: str, raw: Any, dialect: str, runs: int) -> Result:
    """The unfiltered dashboard page once its sums are kept (what every view after the first
    gets, until a write; a write carries the sums itself), beside the raw SQL of its tables."""
    with tempfile.TemporaryDirectory() as folder:
        app = _app(url, cache=f"file://{folder}")
        with app.app_context():
            client = app.test_client()
            reply = client.post("/login", data={"email": BENCH_USER, "password": BENCH_PASSWORD})
            assert reply.status_code == 302, f"bench login failed: {reply.status_code}"

            def page() -> None:
                reply = client.get("/")
                assert reply.status_code == 200, reply.status_code

            ours = median_time(page, runs)  # the warm-up run computes and keeps the sums
            size = len(client.get("/").get_data())
            queries = raw_sql.dashboard_queries(dialect, False)
            baseline = median_time(lambda: raw_sql.run_all(raw, queries), runs)
            db.session.remove()
            db.engine.dispose()
    label = f"dashboard page (HTTP), all filters off, sums kept ({size / 1024:.0f} KB of HTML)"
    print(f"  {label}: {ours:.3f}s vs {baseline:.3f}s", flush=True)
    return Result(name, label, ours, baseline, "raw SQL", None, within=0.1)


def name_search(name: str, raw: Any, runs: int) -> list[Result]:
    """Ranked name search (key lookup + scoring) beside the same key lookup as raw SQL."""
    from tracker.search.names import query_keys
    from tracker.search.services import search_persons

    results = []
    for term in ("kim chol ok", "김철옥", "Kim"):
        key = query_keys(term)[0]
        upper = key[:-1] + chr(ord(key[-1]) + 1)
        found = len(search_persons(term))
        ours = median_time(lambda t=term: search_persons(t), runs)
        queries = raw_sql.name_search_query(key, upper)
        baseline = median_time(lambda q=queries: raw_sql.run_all(raw, q), runs)
        label = f"name search '{term}' ({found} found, ranked)"
        results.append(Result(name, label, ours, baseline, "raw SQL key lookup", None))
        print(f"  {label}: {ours:.3f}s vs {baseline:.3f}s", flush=True)
    return results


IMPORT_KINDS = ("events", "persons", "persons+statuses")
# Persons with a status each: the goal for the import, in rows per second.
STATUS_IMPORT_RATE = 20_000


def measure_import(name: str, url: str, rows: int, kind: str = "events") -> Result:
    """`import N rows`: our import (parse, services, audit, one commit) beside the raw
    executemany of the same rows, each into an empty database of its own. The kind
    "persons+statuses" is persons with a dated, sourced status each (the baseline inserts
    both tables)."""
    statuses = kind == "persons+statuses"
    label = "persons rows with a status each" if statuses else f"{kind} rows"
    print(f"{name}: importing {rows:,} {label}", flush=True)
    app = _app(url)
    path = HERE / "data" / f"import-{kind.replace('+', '-')}-{rows}.csv"
    if kind == "events":
        data = import_bench.write_rows(path, rows)
        ours = import_bench.time_import(app, url, path)
        baseline = import_bench.time_executemany(app, url, data, _raw_connection)
    else:
        data = import_bench.write_person_rows(path, rows, statuses=statuses)
        ours = import_bench.time_import(app, url, path, "persons")
        raw = (
            import_bench.time_executemany_persons_statuses
            if statuses
            else (import_bench.time_executemany_persons)
        )
        baseline = raw(app, url, data, _raw_connection)
    with app.app_context():
        db.engine.dispose()
    result = Result(
        name,
        f"import {rows:,} {label} ({rows / ours:,.0f} rows/s; "
        f"executemany {rows / baseline:,.0f} rows/s)",
        ours,
        baseline,
        "raw executemany",
        None,
        rows=rows,
        rate=STATUS_IMPORT_RATE if statuses and name == "SQLite" else None,
    )
    print(f"  {result.measure}: {ours:.2f}s vs {baseline:.2f}s", flush=True)
    return result


def measure_import_floor(url: str, rows: int) -> Result:
    """`the writes alone`: persons with a status each imported into SQLite, beside raw
    executemany of every row that import wrote, into an empty database: the fastest any
    import keeping the same records, links, name keys and audit could go."""
    print(f"SQLite: importing {rows:,} persons rows with a status each, then its writes alone")
    app = _app(url)
    path = HERE / "data" / f"import-persons-statuses-{rows}.csv"
    import_bench.write_person_rows(path, rows, statuses=True)
    ours, writes, written, tables = import_bench.time_writes_alone(app, url, path)
    result = Result(
        "SQLite",
        f"import {rows:,} persons rows with a status each ({rows / ours:,.0f} rows/s), beside "
        f"the {written:,} rows it writes in {tables} tables inserted raw (at most "
        f"{rows / writes:,.0f} persons rows/s)",
        ours,
        writes,
        "raw executemany of the rows it wrote",
        None,
    )
    print(f"  {result.measure}: {ours:.2f}s vs {writes:.2f}s", flush=True)
    return result


def measure_import_again(name: str, url: str, rows: int) -> Result:
    """`import the same file again`: persons with a status each, imported a second time
    (every row found and unchanged), beside their first import (the goal: no slower)."""
    print(f"{name}: importing {rows:,} persons rows with a status each, twice", flush=True)
    app = _app(url)
    path = HERE / "data" / f"import-persons-statuses-{rows}.csv"
    import_bench.write_person_rows(path, rows, statuses=True)
    first, again = import_bench.time_import_again(app, url, path)
    with app.app_context():
        db.engine.dispose()
    result = Result(
        name,
        f"import the same {rows:,} persons rows with a status each again, all unchanged "
        f"({rows / again:,.0f} rows/s; first import {rows / first:,.0f} rows/s)",
        again,
        first,
        "their first import",
        1.0,
    )
    print(f"  {result.measure}: {again:.2f}s vs {first:.2f}s", flush=True)
    return result


def datasette_facets(path: str, runs: int) -> float | None:
    """Datasette's own facet counts over the same SQLite file (installed in the bench venv only)."""
    try:
        from datasette.app import Datasette
    except ImportError:
        print("  Datasette is not installed in this environment; skipped", flush=True)
        return None
    ds = Datasette(
        [path],
        settings={
            "facet_time_limit_ms": 3_600_000,
            "sql_time_limit_ms": 3_600_000,
            "suggest_facets": False,
        },
    )
    name = Path(path).stem

    async def facets() -> None:
        for url in (
            f"/{name}/persons.json?_facet=status&_facet=gender&_size=0&deleted_at__isnull=1",
            f"/{name}/repatriation_events.json?_facet=crossing_id&_size=0&deleted_at__isnull=1",
        ):
            response = await ds.client.get(url)
            assert response.status_code == 200, response.text[:200]

    loop = asyncio.new_event_loop()
    try:
        return median_time(lambda: loop.run_until_complete(facets()), runs)
    finally:
        loop.close()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else cpu
        memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        ram = f"{int(memory.group(1)) / 1024 / 1024:.0f} GiB RAM" if memory else ""
    except OSError:
        ram = ""
    return f"{cpu}, {os.cpu_count()} cores, {ram}; {platform.platform()}; Python {platform.python_version()}"


def write_results(
    path: Path, sizes: Sizes, runs: int, results: list[Result], notes: list[str]
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()}",
        f"- Data: {sizes.persons:,} persons (with status histories), {sizes.events:,} events, "
        f"{sizes.facilities} facilities, {sizes.crossings} crossing points, {sizes.sources:,} sources",
        f"- Each figure: the median of {runs} runs after one warm-up, in seconds; the baseline is "
        "measured in the same run on the same data. Ratio = tracker / baseline (lower is better).",
        "",
        "| database | measure | tracker (s) | baseline | baseline (s) | ratio | goal | met |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.database} | {r.measure} | {r.ours:.3f} | {r.baseline_name} | {r.baseline:.3f} | "
            f"{r.ratio:.2f}× | {r.goal_text} | {r.met} |"
        )
    lines += ["", *notes, ""]
    path.write_text("\n".join(lines))
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("TRACKER_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--import-rows", type=int, default=None, help="rows to import (default: persons / 10)"
    )
    parser.add_argument(
        "--only-imports",
        action="store_true",
        help="measure the imports alone (no generated database): a partial RESULTS, for --out",
    )
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    sizes = Sizes.scaled(args.persons)
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    results: list[Result] = []
    notes: list[str] = []
    import_rows = args.import_rows or max(args.persons // 10, 100)
    if not args.only_imports:
        sqlite = generated_database("sqlite", args.persons)
        results += measure_database("SQLite", sqlite, sizes, args.runs, notes)
    for kind in IMPORT_KINDS:
        results.append(measure_import("SQLite", f"sqlite:///{data}/import.db", import_rows, kind))
    results.append(measure_import_again("SQLite", f"sqlite:///{data}/import.db", import_rows))
    results.append(measure_import_floor(f"sqlite:///{data}/import.db", import_rows))
    if not args.no_postgres:
        postgres = args.postgres_url
        if not args.only_imports:
            postgres = generated_database("postgresql", args.persons, args.postgres_url)
        try:
            _ensure_postgres_database(postgres)
        except psycopg.Error as error:
            notes.append(f"PostgreSQL was not reachable at {postgres} ({error}); not measured.")
        else:
            if not args.only_imports:
                results += measure_database(
                    "PostgreSQL", normalise_database_url(postgres), sizes, args.runs, notes
                )
            import_url = args.postgres_url.rstrip("/") + "_import"
            _ensure_postgres_database(import_url)
            for kind in IMPORT_KINDS:
                results.append(
                    measure_import(
                        "PostgreSQL", normalise_database_url(import_url), import_rows, kind
                    )
                )
            results.append(
                measure_import_again("PostgreSQL", normalise_database_url(import_url), import_rows)
            )
    write_results(args.out, sizes, args.runs, results, notes)
    return 0


def _ensure_postgres_database(url: str) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    server, _, name = plain.rpartition("/")
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')  # noqa: S608  (our own setting)


if __name__ == "__main__":
    sys.exit(main())
