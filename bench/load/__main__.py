"""`make load`: fifty analysts and a researcher at once, before and after, on SQLite and
PostgreSQL, at 100,000 and 1,000,000 persons; writes bench/LOAD.md.

    python -m bench.load [--persons 100000 1000000] [--databases sqlite postgresql]
                         [--users 50] [--seconds 180] [--before REF] [--only after]

For each size and database: the database is generated once (bench/generate.py, the same data
as `make bench`), then for each version of the tracker (REF, by default the commit before the
summary cache, and this checkout) `tracker serve` is started on 127.0.0.1 and locust runs the
mix of bench/load/locustfile.py for --seconds (and at most --max-requests requests). The
locust client runs on the same cores as the server, as in the issue's measurement.
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from bench.__main__ import (
    BENCH_PASSWORD,
    BENCH_USER,
    DEFAULT_POSTGRES,
    _ensure_postgres_database,
    generated_database,
    machine,
    prepare,
)
from bench.generate import Sizes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT / "bench" / "data"
# The tracker before the summary cache (issue #18): the baseline of every figure.
BEFORE = "8522edc"
WRITER = "load-researcher@example.org"
PAGES = [
    "dashboard",
    "dashboard, a month and a province",
    "persons list",
    "events list",
    "person page",
    "write a person (API)",
    "summary after a write (API)",
]


@dataclass
class Figures:
    """One page's numbers from one run."""

    requests: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float


@dataclass
class Run:
    persons: int
    database: str
    version: str
    server: str
    pages: dict[str, Figures] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str, int]] = field(default_factory=list)  # page, error, how many
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average, start and end
    seconds: float = 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url(database: str, persons: int) -> str:
    """The generated database `make bench` uses for the same size (generated if missing)."""
    base = os.environ.get("TRACKER_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    url = generated_database(database, persons, base)
    if database == "sqlite":
        return url
    _ensure_postgres_database(url)
    return url.replace("postgresql://", "postgresql+psycopg://")


def _prepare(url: str, persons: int) -> tuple[int, str]:
    """The generated database, an analyst's and a researcher's account; the number of events
    and a fresh API token of the researcher."""
    from tracker.accounts import services
    from tracker.accounts.services import create_api_token
    from tracker.extensions import db

    sizes = Sizes.scaled(persons)
    app, _ = prepare(url, sizes)
    with app.app_context():
        writer = services.find_user(WRITER)
        if writer is None:
            writer = services.create_user(None, WRITER, BENCH_PASSWORD, "researcher")
        _, token = create_api_token(None, writer, f"load {datetime.now(UTC):%Y-%m-%d %H:%M}")
        db.session.commit()
        db.engine.dispose()
    return sizes.events, token


def _checkout(ref: str) -> Path:
    """The tracker at `ref`, as a worktree beside the data (made once)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    tree = DATA / f"tracker-{sha}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True)
    return tree


def _serve(
    tree: Path, url: str, options: list[str], instance: Path
) -> tuple[subprocess.Popen, str]:
    """`tracker serve` of the checkout at `tree` on a free port of 127.0.0.1."""
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(tree),
        TRACKER_DATABASE_URL=url,
        TRACKER_INSTANCE_PATH=str(instance),
        TRACKER_SECRET_KEY=secrets.token_urlsafe(48),
        # Several processes share their rate limits through Redis (`tracker serve` refuses
        # --workers 2 with the default memory:// store); a prefix of this run's own.
        TRACKER_RATELIMIT_STORAGE_URL=os.environ.get(
            "TRACKER_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0"
        ),
        TRACKER_RATELIMIT_KEY_PREFIX="load-" + secrets.token_hex(6),
    )
    command = [sys.executable, "-m", "tracker", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log = (instance / "server.log").open("w")
    process = subprocess.Popen(command + options, cwd=tree, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"the server exited; see {instance / 'server.log'}")
        try:
            with urllib.request.urlopen(base + "/login", timeout=5) as reply:
                if reply.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def _session_cookie(base: str) -> str:
    """Log the analyst in once; the fifty simulated analysts share this login."""
    import re

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urlencode({"email": BENCH_USER, "password": BENCH_PASSWORD, "csrf_token": token})
    opener.open(base + "/login", data=body.encode())
    for cookie in jar:
        if cookie.name == "tracker_session":
            return f"{cookie.name}={cookie.value}"
    raise RuntimeError("the analyst could not log in")


def _locust(base: str, run: Run, env: dict[str, str], users: int, seconds: int, work: Path) -> None:
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users + 1),  # and the researcher
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(work / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    subprocess.run(command, env=dict(os.environ, **env), check=False, cwd=work)
    run.seconds = time.perf_counter() - started
    run.load = (load_before, os.getloadavg()[0])
    with (work / "locust_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] != "" else "all pages"
            if row["Name"] == "Aggregated":
                name = "all pages"
            run.pages[name] = Figures(
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                per_second=float(row["Requests/s"]),
                p50=float(row["50%"]),
                p95=float(row["95%"]),
                p99=float(row["99%"]),
            )
    failures = work / "locust_failures.csv"
    if failures.exists():
        with failures.open() as handle:
            run.errors = [
                (row["Name"], row["Error"], int(row["Occurrences"]))
                for row in csv.DictReader(handle)
            ]
    report = work / "counts.json"
    if report.exists():
        run.counts = json.loads(report.read_text())


def measure(
    persons: int, database: str, version: str, ref: str, users: int, seconds: int, cap: int
) -> Run:
    """One run: serve one version on one database and put the users on it."""
    url = _database_url(database, persons)
    print(f"{database}, {persons:,} persons, {version}: preparing", flush=True)
    events, token = _prepare(url, persons)
    tree = _checkout(ref) if version == "before" else ROOT
    # Before: the server as the issue measured it (2 sync workers). After: processes × threads.
    options = ["--workers", "2"] if version == "before" else ["--workers", "2", "--threads", "4"]
    extra = (
        {} if version == "before" else {"TRACKER_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"}
    )
    work = Path(tempfile.mkdtemp(prefix=f"load-{database}-{persons}-{version}-"))
    (work / "instance").mkdir()
    os.environ.update(extra)
    try:
        process, base = _serve(tree, url, options, work / "instance")
    finally:
        for name in extra:
            os.environ.pop(name, None)
    run = Run(persons, database, version, " ".join(options))
    try:
        env = {
            "LOAD_COOKIE": _session_cookie(base),
            "LOAD_TOKEN": token,
            "LOAD_PERSONS": str(persons),
            "LOAD_EVENTS": str(events),
            "LOAD_MAX_REQUESTS": str(cap),
            "LOAD_REPORT": str(work / "counts.json"),
        }
        print(f"  {users} analysts and a researcher for {seconds}s on {base}", flush=True)
        _locust(base, run, env, users, seconds, work)
    finally:
        process.terminate()
        process.wait(timeout=60)
        _stop_leftover_queries(url)
    total = run.pages.get("all pages")
    if total:
        print(
            f"  {total.per_second:.1f} requests/s, p50 {total.p50:.0f} ms, p95 {total.p95:.0f} ms, "
            f"p99 {total.p99:.0f} ms, {total.failures} errors {run.errors}; {run.counts}",
            flush=True,
        )
    # The server's access log (paths and times only), kept beside the data for a closer look.
    shutil.copy(
        work / "instance" / "server.log", DATA / f"server-{database}-{persons}-{version}.log"
    )
    shutil.rmtree(work, ignore_errors=True)
    return run


def _stop_leftover_queries(url: str) -> None:
    """End the queries a stopped server left running on PostgreSQL (a 20-second dashboard of
    the version before goes on after its client is gone), so that they do not run into the
    next run's measurement."""
    if url.startswith("sqlite"):
        return
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    name = plain.rpartition("/")[2]
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )


def _ms(value: float) -> str:
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def write_report(path: Path, runs: list[Run], users: int, seconds: int, ref: str) -> None:
    lines = [
        "# Load test results",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {machine()}; the locust client runs on the same cores as the server "
        "(its FastHttpUser, geventhttpclient, for both versions: the client's own CPU is "
        "taken from the same two cores, and python-requests took several times more of it).",
        f"- Users: {users} analysts on one login, each waiting 0.5–2 s between pages (the "
        "unfiltered dashboard, the dashboard for a month and a province, persons and events "
        "list pages 1–20, person pages), their browser revalidating a kept page by its ETag; "
        "and one researcher writing a person through the API every 3–6 s, then reading the "
        "summary through the API and checking that it counts every write.",
        f"- Each run: {seconds} s. Before: the tracker at `{ref}` (no summary cache), served "
        "as the issue measured it (2 sync workers). After: this checkout, 2 processes × 4 "
        "threads (gthread), the rate limits in Redis, the summary cache in the instance folder.",
        "",
    ]
    sizes = sorted({(run.persons, run.database) for run in runs})
    for persons, database in sizes:
        before = next(
            (
                r
                for r in runs
                if (r.persons, r.database, r.version) == (persons, database, "before")
            ),
            None,
        )
        after = next(
            (r for r in runs if (r.persons, r.database, r.version) == (persons, database, "after")),
            None,
        )
        lines += [
            f"## {database}, {persons:,} persons",
            "",
            "| page | version | requests | requests/s | p50 | p95 | p99 | errors |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for page in [*PAGES, "summary counts every write", "all pages"]:
            for run in (before, after):
                if run is None or page not in run.pages:
                    continue
                f = run.pages[page]
                label = f"**{page}**" if page == "all pages" else page
                lines.append(
                    f"| {label} | {run.version} | {f.requests:,} | {f.per_second:.1f} | "
                    f"{_ms(f.p50)} | {_ms(f.p95)} | {_ms(f.p99)} | {f.failures} |"
                )
        for run in (before, after):
            if run is not None:
                lines += [
                    "",
                    f"Machine load (1-minute average) during the {run.version} run: "
                    f"{run.load[0]:.1f} at its start, {run.load[1]:.1f} at its end "
                    "(2 cores; besides the server and locust, anything else running here).",
                ]
        if before and after and "all pages" in before.pages and "all pages" in after.pages:
            ratio = after.pages["all pages"].per_second / max(
                before.pages["all pages"].per_second, 1e-9
            )
            lines += ["", f"Requests/s after ÷ before: **{ratio:.1f}×**."]
        for run in (before, after):
            if run is not None and run.errors:
                lines += ["", f"Errors, {run.version}:", ""]
                lines += [f"- {page}: {error} ({count}×)" for page, error, count in run.errors]
        if after and after.counts:
            c = after.counts
            lines += [
                "",
                f"After: {c.get('revalidated', 0):,} pages answered 304 (the browser's copy was "
                f"still the page); the researcher wrote {c.get('writes', 0)} persons and the "
                f"summary counted every one of them {c.get('checked', 0) - c.get('stale', 0)} "
                f"times out of {c.get('checked', 0)}.",
            ]
        lines.append("")
    path.write_text("\n".join(lines))
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--only", choices=["before", "after"])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "LOAD.md")
    args = parser.parse_args(argv)
    DATA.mkdir(exist_ok=True)
    runs = []
    versions = [args.only] if args.only else ["before", "after"]
    for persons in args.persons:
        for database in args.databases:
            for version in versions:
                runs.append(
                    measure(
                        persons,
                        database,
                        version,
                        args.before,
                        args.users,
                        args.seconds,
                        args.max_requests,
                    )
                )
                write_report(args.out, runs, args.users, args.seconds, args.before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
