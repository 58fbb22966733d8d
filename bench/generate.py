"""Synthetic data at scale: a realistic database of N persons, built quickly on SQLite or PostgreSQL.

Rows go in through the database driver directly (executemany on SQLite, COPY on PostgreSQL):
the point is to build the data fast, not to exercise the services. The schema itself comes
from the migrations, as in production. Everything is seeded, so two runs build the same data.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from tracker.caching.services import move_on
from tracker.search.names import iter_keys, person_readings

STATUSES = [
    "detained",
    "repatriated",
    "vanished",
    "detained_in_nk",
    "released",
    "resettled",
    "deceased",
    "unknown",
]
STATUS_WEIGHTS = [10, 15, 35, 15, 5, 8, 4, 8]
PROVINCES = ["Jilin", "Liaoning", "Heilongjiang"]
FAMILY = [
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Ri",
    "Pak",
]
SYLLABLES = [
    "cheol",
    "ok",
    "young",
    "hee",
    "sun",
    "mi",
    "jin",
    "hyun",
    "ae",
    "ran",
    "soo",
    "kyung",
    "nam",
    "il",
]
BATCH = 20_000


@dataclass(frozen=True)
class Sizes:
    persons: int = 1_000_000
    events: int = 100_000
    facilities: int = 300
    crossings: int = 30
    sources: int = 5_000

    @classmethod
    def scaled(cls, persons: int) -> "Sizes":
        """Keep the default proportions for another number of persons."""
        factor = persons / 1_000_000
        return cls(
            persons=persons,
            events=max(100, int(100_000 * factor)),
            facilities=max(10, min(300, int(300 * factor**0.5))),
            crossings=max(5, min(30, int(30 * factor**0.5))),
            sources=max(50, int(5_000 * factor)),
        )


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _tracked() -> dict[str, Any]:
    return {"version": 1, "created_at": NOW, "updated_at": NOW}


def _crossings(rng: random.Random, sizes: Sizes) -> Iterator[dict[str, Any]]:
    for i in range(1, sizes.crossings + 1):
        yield {
            "id": i,
            "name": f"Crossing {i:02d}",
            "aliases": "[]",
            "cn_side": f"CN side {i}",
            "kp_side": f"KP side {i}",
            "province": PROVINCES[i % 2],
            "latitude": rng.uniform(39.9, 42.9),
            "longitude": rng.uniform(124.2, 130.6),
            **_tracked(),
        }


def _facilities(rng: random.Random, sizes: Sizes) -> Iterator[dict[str, Any]]:
    for i in range(1, sizes.facilities + 1):
        yield {
            "id": i,
            "name": f"Facility {i:03d}",
            "aliases": "[]",
            "kind": rng.choice(["prison", "detention_centre", "border_post", "labour_camp"]),
            "province": rng.choice(PROVINCES),
            "country": "CN",
            "latitude": rng.uniform(40.0, 45.5),
            "longitude": rng.uniform(121.0, 130.0),
            **_tracked(),
        }


def _sources(rng: random.Random, sizes: Sizes) -> Iterator[dict[str, Any]]:
    for i in range(1, sizes.sources + 1):
        yield {
            "id": i,
            "title": f"Source {i}",
            "kind": rng.choice(["interview", "ngo_report", "media", "relative"]),
            "reliability": rng.choice("ABCDEF"),
            "credibility": rng.randint(1, 6),
            "confidential": rng.random() < 0.2,
            **_tracked(),
        }


def _event_date(rng: random.Random) -> tuple[date, date, str]:
    start = date(2000, 1, 1) + timedelta(days=rng.randrange(0, 365 * 25))
    roll = rng.random()
    if roll < 0.8:
        return start, start, "day"
    if roll < 0.95:
        first = start.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first, last, "month"
    return date(start.year, 1, 1), date(start.year, 12, 31), "year"


def generate(engine: Engine, sizes: Sizes, seed: int = 2023) -> dict[str, int]:
    """Fill an empty, migrated database; return the number of rows per table."""
    rng = random.Random(seed)
    loader = _Loader(engine)
    counts = {
        "crossing_points": loader.load("crossing_points", _crossings(rng, sizes)),
        "facilities": loader.load("facilities", _facilities(rng, sizes)),
        "sources": loader.load("sources", _sources(rng, sizes)),
    }
    event_rows, links, claims = [], [], []
    for i in range(1, sizes.events + 1):
        start, end, precision = _event_date(rng)
        low = rng.randint(1, 400)
        event_rows.append(
            {
                "id": i,
                "date_start": start,
                "date_end": end,
                "date_precision": precision,
                "date_approximate": False,
                "crossing_id": rng.randint(1, sizes.crossings),
                "people_min": low,
                "people_max": None if rng.random() < 0.3 else low + rng.randint(0, 200),
                **_tracked(),
            }
        )
        for facility in rng.sample(range(1, sizes.facilities + 1), rng.randint(1, 2)):
            links.append({"event_id": i, "facility_id": facility})
        for source in rng.sample(range(1, sizes.sources + 1), rng.randint(1, 3)):
            claims.append({"id": len(claims) + 1, "event_id": i, "source_id": source})
    counts["repatriation_events"] = loader.load("repatriation_events", iter(event_rows))
    counts["event_facilities"] = loader.load("event_facilities", iter(links))
    counts["event_sources"] = loader.load("event_sources", iter(claims))
    event_starts = [row["date_start"] for row in event_rows]
    del event_rows, links, claims

    persons, statuses, detentions, name_keys = _people(rng, sizes, event_starts)
    counts["persons"] = loader.load("persons", persons)
    counts["status_records"] = loader.load("status_records", statuses)
    counts["detentions"] = loader.load("detentions", detentions)
    counts["person_name_keys"] = loader.load("person_name_keys", name_keys)
    loader.finish()
    with engine.begin() as connection:  # the rows were written around the session: say so
        move_on(connection)
    return counts


def _people(rng: random.Random, sizes: Sizes, event_starts: list[date]):  # type: ignore[no-untyped-def]
    persons: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    detentions: list[dict[str, Any]] = []
    name_keys: list[dict[str, Any]] = []
    for i in range(1, sizes.persons + 1):
        event_id = rng.randint(1, sizes.events) if rng.random() < 0.9 else None
        when = event_starts[event_id - 1] if event_id else date(2020, 1, 1)
        history = []
        for step in range(rng.randint(1, 3)):
            history.append(
                {
                    "id": len(statuses) + len(history) + 1,
                    "person_id": i,
                    "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
                    "as_of": when + timedelta(days=30 * step + rng.randint(0, 29)),
                    "source_id": rng.randint(1, sizes.sources),
                    **_tracked(),
                }
            )
        statuses.extend(history)
        latest = max(history, key=lambda record: (record["as_of"], record["id"]))
        family = rng.choice(FAMILY)
        given = (rng.choice(SYLLABLES) + "-" + rng.choice(SYLLABLES)).capitalize()
        # The search keys the services would store (tracker/search/services.py).
        for key in iter_keys(person_readings(family, given)):
            name_keys.append({"id": len(name_keys) + 1, "person_id": i, "name_key": key})
        persons.append(
            {
                "id": i,
                "case_code": f"RT-{when.year}-{i:07d}",
                "family_name": family,
                "given_name": given,
                "aliases": "[]",
                "gender": rng.choices(["female", "male", "unknown"], [70, 25, 5])[0],
                "birth_year": rng.randint(1950, 2010),
                "birth_year_approximate": rng.random() < 0.3,
                "origin_region": rng.choice(["North Hamgyong", "Ryanggang", "South Hamgyong"]),
                "event_id": event_id,
                "status": latest["status"],
                "status_as_of": latest["as_of"],
                **_tracked(),
            }
        )
        if rng.random() < 0.5:
            detentions.append(
                {
                    "id": len(detentions) + 1,
                    "person_id": i,
                    "facility_id": rng.randint(1, sizes.facilities),
                    **_tracked(),
                }
            )
    return iter(persons), iter(statuses), iter(detentions), iter(name_keys)


class _Loader:
    """Bulk insert through the driver: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.raw = engine.raw_connection()
        self.dialect = engine.dialect.name
        self.tables: list[str] = []
        if self.dialect == "sqlite":
            self.raw.execute("PRAGMA synchronous=OFF")

    def load(self, table: str, rows: Iterator[dict[str, Any]]) -> int:
        self.tables.append(table)
        first = next(rows, None)
        if first is None:
            return 0
        columns = list(first)
        count = 0
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in _chain(first, rows):
                    copy.write_row([_pg(row[c]) for c in columns])
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
            batch = []
            for row in _chain(first, rows):
                batch.append([_sqlite(row[c]) for c in columns])
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
        self.raw.commit()
        return count

    def finish(self) -> None:
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            for table in self.tables:
                if table != "event_facilities":
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT MAX(id) FROM {table}))"
                    )
        cursor.execute("ANALYZE")
        self.raw.commit()
        self.raw.close()


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _pg(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


__all__ = ["Sizes", "generate"]
