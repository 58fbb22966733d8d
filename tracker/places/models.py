"""Detention facilities and border crossing points, each field declared once (its `info`)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped

from tracker.db import Base, TrackedRecord
from tracker.kinds.columns import country, decimal, lines, long_text, term, text

NAME = _l("Name")
NAME_KO = _l("Name in Korean")
NAME_KO_HELP = _l("Shown on Korean pages, e.g. 온성.")
NAME_KO_ALSO = "korean name|name (korean)|한국어 이름|이름(한국어)"
OTHER_NAMES = _l("Other names")
ONE_PER_LINE = _l("One per line.")
NOTES = "note|comments|remarks|비고|메모"
CROSSING = "crossing|crossing point|border crossing|송환 경로"
LAT = {"description": _l("Decimal degrees, e.g. 42.96"), "also": "lat"}
LON = {"description": _l("Decimal degrees, e.g. 129.85"), "also": "lon|lng|long"}


class NamedPlace:
    """A place named in each language of the interface: `name` (English, the key that files
    and the API use) and `name_ko` (Korean)."""

    name: str
    name_ko: str | None

    @property
    def shown_name(self) -> str:
        """The name in the page's language: the Korean one on Korean pages, when known."""
        from tracker.i18n import current_language

        if self.name_ko and current_language() == "ko":
            return self.name_ko
        return self.name


class Facility(NamedPlace, TrackedRecord, Base):
    """A detention facility."""

    __tablename__ = "facilities"

    name: Mapped[str] = text(NAME, 200, required=True, index=True, also="facility|prison|시설명")
    name_ko: Mapped[str | None] = text(NAME_KO, 200, description=NAME_KO_HELP, also=NAME_KO_ALSO)
    name_local: Mapped[str | None] = text(
        _l("Local name (Chinese or Korean)"), 200, also="local name|chinese name|현지 이름"
    )
    aliases: Mapped[list[str]] = lines(OTHER_NAMES, 200, description=ONE_PER_LINE, also="alias")
    kind: Mapped[str] = term(
        _l("Kind"), "facility_kind", required=True, default="other", also="type|종류|시설 종류"
    )
    province: Mapped[str | None] = text(_l("Province"), 100, index=True, also="region|state|성")
    country: Mapped[str | None] = country(
        _l("Country"), description=_l("Two-letter code: CN, KP, …"), also="country code|국가"
    )
    latitude: Mapped[float | None] = decimal(_l("Latitude"), -90, 90, **LAT)
    longitude: Mapped[float | None] = decimal(_l("Longitude"), -180, 180, **LON)
    notes: Mapped[str | None] = long_text(_l("Notes"), 20_000, also=NOTES)


class CrossingPoint(NamedPlace, TrackedRecord, Base):
    """A border crossing, named by its two sides."""

    __tablename__ = "crossing_points"

    name: Mapped[str] = text(NAME, 200, required=True, index=True, also=CROSSING)
    name_ko: Mapped[str | None] = text(NAME_KO, 200, description=NAME_KO_HELP, also=NAME_KO_ALSO)
    aliases: Mapped[list[str]] = lines(OTHER_NAMES, 200, description=ONE_PER_LINE, also="alias")
    cn_side: Mapped[str | None] = text(
        _l("Chinese side"), 200, description=_l("e.g. Tumen"), also="china side|cn|중국 측"
    )
    kp_side: Mapped[str | None] = text(
        _l("North Korean side"), 200, description=_l("e.g. Namyang"), also="nk side|kp|북한 측"
    )
    province: Mapped[str | None] = text(_l("Province"), 100, index=True, also="region|성")
    latitude: Mapped[float | None] = decimal(_l("Latitude"), -90, 90, **LAT)
    longitude: Mapped[float | None] = decimal(_l("Longitude"), -180, 180, **LON)
    notes: Mapped[str | None] = long_text(_l("Notes"), 20_000, also=NOTES)
