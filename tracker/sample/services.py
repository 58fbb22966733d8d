"""The publicly reported facts of October 2023, each citing the public source that reported it."""

from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.audit import services as audit
from tracker.events.models import ReportedFigure
from tracker.events.services import events
from tracker.extensions import db
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources

SAMPLE_ORIGIN = "sample:october-2023"

COORDINATES_NOTE = "Coordinates are approximate (city level)."

FACILITIES: list[dict[str, Any]] = [
    {
        "name": "Shenyang Prison",
        "name_ko": "선양 감옥",
        "name_local": "沈阳监狱",
        "kind": "prison",
        "province": "Liaoning",
        "country": "CN",
        "latitude": 41.8057,
        "longitude": 123.4315,
        "notes": "Named in public reporting as holding North Korean detainees before the "
        "October 2023 transfers. " + COORDINATES_NOTE,
    },
    {
        "name": "Changchun Tiebei Prison",
        "name_ko": "장춘 철북 감옥",
        "name_local": "长春铁北监狱",
        "kind": "prison",
        "province": "Jilin",
        "country": "CN",
        "latitude": 43.8171,
        "longitude": 125.3235,
        "notes": "Named in public reporting as holding North Korean detainees before the "
        "October 2023 transfers. " + COORDINATES_NOTE,
    },
]

CROSSINGS: list[dict[str, Any]] = [
    {
        "name": "Onsong",
        "name_ko": "온성",
        "aliases": ["Onsŏng", "온성", "Tumen–Onsong"],
        "cn_side": "Tumen",
        "kp_side": "Onsong",
        "province": "Jilin",
        "latitude": 42.96,
        "longitude": 129.85,
        "notes": COORDINATES_NOTE,
    },
    {
        "name": "Dandong",
        "name_ko": "단둥",
        "aliases": ["丹东", "단둥", "Dandong–Sinuiju"],
        "cn_side": "Dandong",
        "kp_side": "Sinuiju",
        "province": "Liaoning",
        "latitude": 40.1167,
        "longitude": 124.3936,
        "notes": COORDINATES_NOTE,
    },
]

SOURCES: list[dict[str, Any]] = [
    {
        "title": "China is sending escapers back to North Korea",
        "kind": "media",
        "organisation": "The Economist",
        "published_on": date(2023, 12, 9),
        "url": "https://www.economist.com/graphic-detail/2023/12/07/china-is-sending-escapers-back-to-north-korea",
        # Graded by the sample's author from what each outlet is and how it sourced the figure:
        # an established outlet (B) relaying an NGO's estimate it could not confirm (3).
        "reliability": "B",
        "credibility": 3,
        "notes": "Graphic detail (print edition of 9 December 2023). Reports the Transitional "
        "Justice Working Group's estimates of how many people were handed over at each of "
        "five crossing points on 9 October 2023.",
    },
    {
        "title": "Hundreds of North Korean Defectors at Risk After China's Mass Deportation",
        "kind": "media",
        "organisation": "Newsweek",
        "published_on": date(2023, 12, 7),
        "url": "https://www.newsweek.com/china-north-korea-defectors-refugees-forced-repatriation-human-rights-1850275",
        "reliability": "B",
        "credibility": 3,
        "notes": "Reports the TJWG / Global Rights Compliance findings: as many as 600 returned "
        "on 9 October 2023, no communication with them since.",
    },
    {
        "title": "China repatriates N Korean escapees after Asian Games: source",
        "kind": "media",
        "organisation": "Radio Free Asia",
        "published_on": date(2023, 10, 11),
        "url": "https://www.rfa.org/english/news/korea/china-repatriates-north-korean-defectors-10122023004404.html",
        # Unnamed rescue groups: the account cannot be checked against a second source.
        "reliability": "C",
        "credibility": 3,
        "notes": "Rescue groups' account of more than 500 people returned on 9 October 2023 "
        "through Tumen, Hunchun, Changbai, Dandong and Nanping.",
    },
    {
        "title": "Many N. Koreans appear to have been repatriated from China: unification ministry",
        "kind": "media",
        "organisation": "Yonhap News Agency",
        "published_on": date(2023, 10, 13),
        "url": "https://en.yna.co.kr/view/AEN20231013003751315",
        # A government ministry's statement, on the record: probably true, without a number.
        "reliability": "B",
        "credibility": 2,
        "notes": "South Korea's unification ministry confirms that many North Koreans held in "
        "three north-eastern Chinese provinces appear to have been repatriated.",
    },
]

ECONOMIST, NEWSWEEK, RFA, YONHAP = (source["title"] for source in SOURCES)

EVENTS: list[dict[str, Any]] = [
    {
        "external_id": "onsong-2023-10-09",
        "crossing": "Onsong",
        # Public reporting names the prisons of Jilin and Liaoning as where the buses left from;
        # each crossing is linked to the named prison of its own province.
        "facilities": ["Changchun Tiebei Prison"],
        "date_start": date(2023, 10, 9),
        "date_end": date(2023, 10, 9),
        "date_precision": "day",
        "people_min": 300,
        "people_max": None,
        "transport": "Guarded buses and prison vans",
        # As reported: "Chinese authorities handed detainees over to the North Korean
        # authorities" (TJWG, via The Economist).
        "handed_over_by": "Chinese authorities (China)",
        "received_by": "North Korean authorities (North Korea)",
        "description": "Detainees handed over at the Tumen–Onsong crossing on the night of "
        "9 October 2023; over 300 people reported.",
        "claims": [
            (ECONOMIST, 300, None, "TJWG estimate for the Tumen–Onsong crossing: 300 people."),
            (RFA, None, None, "Lists Tumen among the crossings used on 9 October."),
        ],
    },
    {
        "external_id": "dandong-2023-10",
        "crossing": "Dandong",
        "facilities": ["Shenyang Prison"],
        "date_start": date(2023, 10, 1),
        "date_end": date(2023, 10, 31),
        "date_precision": "month",
        "people_min": 180,
        "people_max": 180,
        "people_approximate": True,
        "transport": None,
        "handed_over_by": "Chinese authorities (China)",
        "received_by": "North Korean authorities (North Korea)",
        "description": "About 180 people handed over at Dandong around the same period.",
        "claims": [
            (ECONOMIST, 180, 180, "TJWG estimate for the Dandong crossing: about 180 people."),
            (RFA, None, None, "Lists Dandong among the crossings used on 9 October."),
            (YONHAP, None, None, "Ministry: many repatriated via border cities such as Dandong."),
        ],
    },
]

FIGURES: list[dict[str, Any]] = [
    {
        "status": "vanished",
        "people_min": None,
        "people_max": 600,
        "as_of": date(2023, 12, 7),
        "description": "Up to about 600 people returned in October 2023 have not been heard from "
        "since.",
        "source": NEWSWEEK,
        "quote": "TJWG: as many as 600 returned; all communication lost since the deportation.",
    },
]


def _find(model: type, **criteria: Any) -> Any:
    return db.session.execute(select(model).filter_by(**criteria)).scalars().first()


def load_october_2023(actor: Any = None) -> int:
    """Create whatever of the October 2023 sample is missing, through the same services as
    every other record; return how many records were made."""
    created = 0

    def ensure(
        service: Any, key: dict[str, Any], values: dict[str, Any], filled: tuple[str, ...] = ()
    ) -> Any:
        nonlocal created
        existing = _find(service.model, **key)
        if existing is None:
            created += 1
            return service.create(actor, key | values)
        # A sample loaded by an earlier version lacks what this one adds (a source's address
        # and grade, an event's origin facility, a place's Korean name): those are filled in
        # where still empty.
        missing = {
            name: values[name]
            for name in filled
            if name in values and _empty(existing, name, values)
        }
        if missing:
            created += 1
            service.update(actor, existing, existing.version, missing)
        return existing

    facility_ids = {
        item["name"]: ensure(
            facilities, {"name": item["name"]}, _without(item, "name"), ("name_ko",)
        ).id
        for item in FACILITIES
    }
    crossing_ids = {
        item["name"]: ensure(
            crossings, {"name": item["name"]}, _without(item, "name"), ("name_ko",)
        ).id
        for item in CROSSINGS
    }
    source_ids = {
        item["title"]: ensure(
            sources,
            {"title": item["title"]},
            _without(item, "title"),
            ("url", "reliability", "credibility"),
        ).id
        for item in SOURCES
    }
    for item in EVENTS:
        values = _without(item, "crossing", "facilities", "claims")
        values["crossing_id"] = crossing_ids[item["crossing"]]
        values["facility_ids"] = [facility_ids[name] for name in item["facilities"]]
        values["claims"] = [
            {
                "source_id": source_ids[title],
                "people_min": people_min,
                "people_max": people_max,
                # A source giving the event's own number gives it as the event has it.
                "people_approximate": bool(item.get("people_approximate"))
                and people_min is not None,
                "quote": quote,
            }
            for title, people_min, people_max, quote in item["claims"]
        ]
        ensure(
            events,
            {"external_source": SAMPLE_ORIGIN, "external_id": item["external_id"]},
            values,
            ("facility_ids", "people_approximate", "handed_over_by", "received_by"),
        )
    for item in FIGURES:
        if _find(ReportedFigure, description=item["description"]) is None:
            created += 1
            figure = ReportedFigure(**_without(item, "source"))
            figure.source_id = source_ids[item["source"]]
            db.session.add(figure)
            db.session.flush()
            audit.record(actor, "create", figure, {"new": audit.snapshot(figure)})
    return created


def _empty(record: Any, name: str, wanted: dict[str, Any]) -> bool:
    """Whether a sample record still lacks a value the sample now gives it."""
    if name == "facility_ids":
        return not record.facilities and bool(wanted[name])
    return not getattr(record, name) and bool(wanted[name])


def _without(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in keys}
