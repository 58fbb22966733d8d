"""The load test's users (run by `make load` through `python -m bench.load`, never by hand
against another machine: the host must be 127.0.0.1).

Fifty analysts share one login (the session cookie the runner made), as the issue measured
it: each waits 0.5-2 s between pages, and their browser keeps a page it was sent with an ETag
and asks again with If-None-Match, as a browser does. One researcher writes a person through
the API every few seconds, then reads the summary through the API and checks that it counts
every person written so far: the cache must stay correct under writes, in every process.
"""

import calendar
import json
import os
import random
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task

PERSONS = int(os.environ["LOAD_PERSONS"])
EVENTS = int(os.environ["LOAD_EVENTS"])
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "100000"))
REPORT = os.environ.get("LOAD_REPORT")
PROVINCES = ["Jilin", "Liaoning", "Heilongjiang"]
LIST_PAGES = 20  # list pages 1-20, as people page through a list
counts = {"requests": 0, "revalidated": 0, "writes": 0, "stale": 0, "checked": 0}
_environment = None


@events.init.add_listener
def only_this_machine(environment, **_kwargs):  # type: ignore[no-untyped-def]
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"the load test runs against 127.0.0.1 only, not {host!r}")


@events.request.add_listener
def bounded(**_kwargs):  # type: ignore[no-untyped-def]
    """Stop after MAX_REQUESTS requests, whatever the time limit."""
    counts["requests"] += 1
    if counts["requests"] >= MAX_REQUESTS and _environment is not None and _environment.runner:
        _environment.runner.quit()


@events.init.add_listener
def keep(environment, **_kwargs):  # type: ignore[no-untyped-def]
    global _environment
    _environment = environment


@events.quitting.add_listener
def report(**_kwargs):  # type: ignore[no-untyped-def]
    if REPORT:
        with open(REPORT, "w") as handle:
            json.dump(counts, handle)


class Analyst(FastHttpUser):
    """An analyst reading the dashboard and the lists."""

    weight = 50
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.cookie = os.environ["LOAD_COOKIE"]  # the shared login, sent as a browser does
        self.kept: dict[str, str] = {}  # address -> the ETag of the copy the browser keeps

    def page(self, path: str, name: str) -> None:
        """GET as a browser does: with the ETag of the copy it keeps, if any."""
        headers = {"Cookie": self.cookie}
        if path in self.kept:
            headers["If-None-Match"] = self.kept[path]
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as reply:
            if reply.status_code == 304:
                counts["revalidated"] += 1
                reply.success()
            elif reply.status_code != 200:
                reply.failure(f"status {reply.status_code}")
            elif reply.headers.get("ETag"):
                self.kept[path] = reply.headers["ETag"]

    @task(2)
    def dashboard(self) -> None:
        self.page("/", "dashboard")

    @task(2)
    def dashboard_month_and_province(self) -> None:
        year, month = random.randint(2000, 2024), random.randint(1, 12)
        last = calendar.monthrange(year, month)[1]
        province = random.choice(PROVINCES)
        query = f"from={year}-{month:02d}-01&to={year}-{month:02d}-{last}&province={province}"
        self.page(f"/?{query}", "dashboard, a month and a province")

    @task(2)
    def persons_list(self) -> None:
        self.page(f"/persons?page={random.randint(1, LIST_PAGES)}", "persons list")

    @task(2)
    def events_list(self) -> None:
        self.page(f"/events?page={random.randint(1, LIST_PAGES)}", "events list")

    @task(2)
    def person_page(self) -> None:
        self.page(f"/persons/{random.randint(1, PERSONS)}", "person page")


class Researcher(FastHttpUser):
    """A researcher recording a person every few seconds through the API."""

    fixed_count = 1
    wait_time = between(3, 6)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {os.environ['LOAD_TOKEN']}"}
        self.before = self.documented()

    def documented(self) -> int | None:
        with self.client.get(
            "/api/v1/summary",
            headers=self.auth,
            name="summary after a write (API)",
            catch_response=True,
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"status {reply.status_code}")
                return None
            return int(reply.json()["total"]["persons"])

    @task
    def write_then_read(self) -> None:
        body = {
            "family_name": "Load",
            "given_name": f"Writer {random.randint(1, 10**9)}",
            "event_id": random.randint(1, EVENTS),
            "confirmed": True,  # a look-alike of an earlier writer's person is still new
        }
        with self.client.post(
            "/api/v1/persons",
            json=body,
            headers=self.auth,
            name="write a person (API)",
            catch_response=True,
        ) as reply:
            if reply.status_code != 201:
                reply.failure(f"status {reply.status_code}: {reply.text[:200]}")
                return
        counts["writes"] += 1
        seen = self.documented()
        if seen is None or self.before is None:
            return
        counts["checked"] += 1
        if seen != self.before + counts["writes"]:
            counts["stale"] += 1
            events.request.fire(
                request_type="CHECK",
                name="summary counts every write",
                response_time=0,
                response_length=0,
                exception=AssertionError(
                    f"summary says {seen}, expected {self.before + counts['writes']}"
                ),
            )
