"""Counting rules of the dashboard: honest ranges, documented counts apart, filters everywhere."""

import itertools
from datetime import date

import pytest

from tracker.dashboard.filters import FilterError, Filters, parse_filters
from tracker.dashboard.services import summarise
from tracker.db import utcnow
from tracker.events.models import EventSource, RepatriationEvent
from tracker.extensions import db
from tracker.persons.models import Detention, Person
from tracker.places.models import CrossingPoint, Facility
from tracker.sample.services import load_october_2023
from tracker.sources.models import Source

_codes = itertools.count(1)


def crossing(name, province="Jilin"):
    place = CrossingPoint(name=name, province=province, aliases=[])
    db.session.add(place)
    db.session.flush()
    return place


def facility(name, province="Jilin"):
    place = Facility(name=name, kind="prison", province=province, aliases=[])
    db.session.add(place)
    db.session.flush()
    return place


def event(at, low, high, day=date(2023, 10, 9), precision="day", facilities=(), end=None):
    record = RepatriationEvent(
        crossing=at,
        date_start=day,
        date_end=end or day,
        date_precision=precision,
        people_min=low,
        people_max=high,
        facilities=list(facilities),
    )
    db.session.add(record)
    db.session.flush()
    return record


def person(of_event=None, status=None, gender="female", detained_at=None):
    record = Person(
        case_code=f"RT-2023-{next(_codes):04d}",
        event=of_event,
        status=status,
        gender=gender,
        aliases=[],
    )
    db.session.add(record)
    db.session.flush()
    if detained_at is not None:
        db.session.add(Detention(person=record, facility=detained_at))
        db.session.flush()
    return record


def row(rows, name):
    return next(r for r in rows if r.name == name)


def test_the_october_2023_sample_shows_the_public_figures(app):
    load_october_2023()
    summary = summarise(Filters())
    assert row(summary.by_crossing, "Onsong").reported.label == "300–?"
    assert row(summary.by_crossing, "Dandong").reported.label == "~180"  # "about 180"
    assert summary.total.reported.label == "~480–?"
    assert summary.total.reported.events == 2
    # Each event's origin facility, so the facility table has figures, not only names.
    assert [(r.name, r.reported.label) for r in summary.by_facility] == [
        ("Changchun Tiebei Prison", "300–?"),
        ("Shenyang Prison", "~180"),
    ]
    assert summary.facilities_involved == 2
    assert summary.total.persons == 0
    assert [(f.status, f.people_max) for f in summary.figures] == [("vanished", 600)]


def test_an_unknown_maximum_keeps_the_range_open(app):
    onsong = crossing("Onsong")
    event(onsong, 100, 150)
    event(onsong, 50, None)
    reported = row(summarise(Filters()).by_crossing, "Onsong").reported
    assert (reported.people_min, reported.people_max, reported.label) == (150, None, "150–?")


def test_known_maxima_add_up(app):
    dandong = crossing("Dandong", "Liaoning")
    event(dandong, 100, 150)
    event(dandong, 50, 60)
    reported = row(summarise(Filters()).by_crossing, "Dandong").reported
    assert (reported.people_min, reported.people_max, reported.label) == (150, 210, "150–210")


def test_reported_and_documented_are_never_added(app):
    onsong = crossing("Onsong")
    transfer = event(onsong, 300, None)
    person(transfer, "vanished")
    person(transfer, "detained_in_nk")
    summary = summarise(Filters())
    onsong_row = row(summary.by_crossing, "Onsong")
    assert onsong_row.reported.label == "300–?"
    assert (onsong_row.persons, onsong_row.vanished) == (2, 1)
    assert summary.total.reported.people_min == 300
    assert summary.total.persons == 2


def test_month_precision_events_fall_in_their_month_and_year_precision_ones_apart(app):
    dandong = crossing("Dandong", "Liaoning")
    event(dandong, 180, 180, day=date(2023, 10, 1), end=date(2023, 10, 31), precision="month")
    event(dandong, 20, 30, day=date(2023, 10, 9))
    event(dandong, 1000, None, day=date(2022, 1, 1), end=date(2022, 12, 31), precision="year")
    months = {r.key: r for r in summarise(Filters()).by_month}
    assert set(months) == {"2022", "2023-10"}
    assert months["2023-10"].reported.label == "200–210"
    assert months["2023-10"].imprecise_events == 1
    assert months["2022"].precision == "year"
    assert months["2022"].name == "2022 (month unknown)"


def test_an_event_over_a_long_span_is_in_every_period_it_overlaps(app):
    """Narrowing the overlap by the longest span (to use the date index) keeps every event
    whose span overlaps the period, however long ago it started."""
    onsong = crossing("Onsong")
    event(onsong, 7, 7, day=date(2019, 3, 1), end=date(2023, 12, 31), precision="range")
    event(onsong, 300, None, day=date(2023, 10, 9))
    event(onsong, 5, 5, day=date(2023, 9, 1))
    october = summarise(parse_filters({"from": "2023-10-01", "to": "2023-10-31"}))
    assert october.total.reported.label == "307–?"
    assert october.total.reported.events == 2
    before = summarise(parse_filters({"from": "2018-01-01", "to": "2019-02-28"}))
    assert before.total.reported.events == 0


def test_each_person_counts_once_by_current_status(app):
    transfer = event(crossing("Onsong"), 10, 10)
    person(transfer, "vanished")
    person(transfer, "vanished")
    person(transfer, "released")
    person(None, None)
    statuses = {r.key: r.persons for r in summarise(Filters()).by_status}
    assert statuses == {"vanished": 2, "released": 1, None: 1}


def test_soft_deleted_records_are_not_counted(app):
    onsong = crossing("Onsong")
    kept = event(onsong, 100, 100)
    gone = event(onsong, 50, 50)
    gone.deleted_at = utcnow()
    person(kept, "vanished")
    removed = person(kept, "vanished")
    removed.deleted_at = utcnow()
    db.session.flush()
    summary = summarise(Filters())
    assert summary.total.reported.label == "100"
    assert summary.total.reported.events == 1
    assert (summary.total.persons, summary.total.vanished) == (1, 1)


def test_filters_change_every_table_consistently(app):
    jilin_crossing = crossing("Onsong", "Jilin")
    liaoning_crossing = crossing("Dandong", "Liaoning")
    changchun = facility("Changchun Tiebei Prison", "Jilin")
    shenyang = facility("Shenyang Prison", "Liaoning")
    in_jilin = event(jilin_crossing, 300, None, facilities=[changchun])
    in_liaoning = event(liaoning_crossing, 180, 180, day=date(2023, 11, 2), facilities=[shenyang])
    person(in_jilin, "vanished", "female")
    person(in_jilin, "released", "male")
    person(in_liaoning, "vanished", "female", detained_at=shenyang)

    everything = summarise(Filters())
    assert everything.total.reported.label == "480–?"
    assert (everything.total.persons, everything.total.vanished) == (3, 2)

    liaoning = summarise(Filters(province="Liaoning"))
    assert liaoning.total.reported.label == "180"
    assert [r.name for r in liaoning.by_crossing] == ["Dandong"]
    assert [r.name for r in liaoning.by_facility] == ["Shenyang Prison"]
    assert [r.key for r in liaoning.by_month] == ["2023-11"]
    assert (liaoning.total.persons, liaoning.total.vanished) == (1, 1)
    assert liaoning.crossings_involved == liaoning.facilities_involved == 1

    october = summarise(Filters(date_from=date(2023, 10, 1), date_to=date(2023, 10, 31)))
    assert october.total.reported.label == "300–?"
    assert [r.key for r in october.by_month] == ["2023-10"]
    assert october.total.persons == 2

    vanished = summarise(Filters(status="vanished"))
    assert vanished.total.persons == 2
    assert {r.key for r in vanished.by_status} == {"vanished"}
    assert row(vanished.by_crossing, "Onsong").persons == 1

    men = summarise(Filters(gender="male"))
    assert (men.total.persons, men.total.vanished) == (1, 0)
    assert [r.key for r in men.by_gender] == ["male"]

    shenyang_only = summarise(Filters(facility_id=shenyang.id))
    assert shenyang_only.total.reported.label == "180"
    assert row(shenyang_only.by_facility, "Shenyang Prison").persons == 1


def test_minimum_source_reliability_keeps_well_sourced_events(app):
    onsong = crossing("Onsong")
    good = Source(title="Interview", kind="interview", reliability="B", credibility=2)
    weak = Source(title="Rumour", kind="other", reliability="E", credibility=5)
    db.session.add_all([good, weak])
    db.session.flush()
    solid = event(onsong, 100, 100)
    shaky = event(onsong, 900, 900)
    db.session.add_all(
        [EventSource(event=solid, source=good), EventSource(event=shaky, source=weak)]
    )
    db.session.flush()
    assert summarise(Filters(min_reliability="C")).total.reported.label == "100"
    assert summarise(Filters(min_reliability="E")).total.reported.label == "1,000"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "9 October"}, "from"),
        ({"from": "2023-10-10", "to": "2023-10-01"}, "to"),
        ({"crossing_id": "99999999999999999999"}, "crossing_id"),
        ({"facility_id": "-1"}, "facility_id"),
        ({"crossing_id": "²"}, "crossing_id"),  # a digit to str.isdigit(), not to int()
        ({"crossing_id": "١٢"}, "crossing_id"),
        ({"min_reliability": "Z"}, "min_reliability"),
        ({"province": "x" * 500}, "province"),
    ],
)
def test_bad_filters_are_reported_per_field(query, field):
    with pytest.raises(FilterError) as raised:
        parse_filters(query)
    assert field in raised.value.fields


def test_filters_round_trip_through_the_query_string():
    filters = parse_filters({"from": "2023-10-01", "to": "2023-10-31", "crossing_id": "3"})
    assert parse_filters(filters.as_query()) == filters
    assert filters.as_query(status="vanished")["status"] == "vanished"


def test_charts_keep_the_largest_rows_and_long_spans_by_year(app):
    from tracker.dashboard import charts

    onsong = crossing("Onsong")
    for year in range(2000, 2004):
        for month in range(1, 13):
            event(
                onsong,
                year - 1990,
                None if month == 6 else 5 + year - 1990,
                day=date(year, month, 2),
            )
    months = summarise(Filters()).by_month
    assert len(months) == 48
    points, unit = charts.timeline(months)
    assert unit == "year"
    assert [p.key for p in points] == ["2000", "2001", "2002", "2003"]
    assert points[0].reported.people_min == 12 * 10
    assert points[0].reported.people_max is None  # June's maximum is unknown
    assert points[0].reported.events == 12

    places = [crossing(f"Crossing {n:02d}") for n in range(20)]
    for n, place in enumerate(places):
        event(place, n + 1, n + 1)
    by_crossing = summarise(Filters()).by_crossing
    drawn = charts.largest(by_crossing)
    assert len(drawn) == charts.CHART_ROWS
    assert "Onsong" in [row.name for row in drawn]
    assert "Crossing 00" not in [row.name for row in drawn]


def test_a_chart_draws_each_reported_range_as_a_range_on_one_scale(app):
    from tracker.dashboard import charts
    from tracker.dashboard.services import Reported, Row

    rows = [
        Row(1, "Onsong", Reported(events=1, people_min=300, people_max=None), persons=40),
        Row(2, "Dandong", Reported(events=1, people_min=150, people_max=200), persons=200),
        Row(3, "A crossing whose name is far too long for the label", persons=7),
    ]
    chart = charts.layout(rows)
    onsong, dandong, unnamed = chart.bars
    # Across, in % of the card: the largest figure reaches the plot's end, less the open end.
    scale = (charts.PLOT_PERCENT - charts.OPEN_END) / 300

    def percent(text):
        assert text.endswith("%")
        return float(text[:-1])

    assert onsong.open_ended and onsong.reported == "300–?"
    assert percent(onsong.minimum_width) == pytest.approx(300 * scale, abs=0.01)
    assert percent(onsong.range_width) == charts.OPEN_END  # no maximum: an open marker
    assert not dandong.open_ended and dandong.reported == "150–200"
    assert percent(dandong.range_x) == pytest.approx(150 * scale, abs=0.01)
    assert percent(dandong.range_width) == pytest.approx(50 * scale, abs=0.01)
    assert percent(dandong.documented_width) == pytest.approx(200 * scale, abs=0.01)
    assert unnamed.reported is None  # nothing reported: no reported bar, no "–" drawn
    assert unnamed.label == "A crossing whose name is far too long for the label"
    assert not chart.empty
    assert chart.description == (
        "Onsong: reported 300–?, documented 40; Dandong: reported 150–200, documented 200; "
        "A crossing whose name is far too long for the label: reported –, documented 7"
    )
    statuses = charts.layout(rows, show_reported=False)
    assert all(bar.reported is None for bar in statuses.bars)
    assert statuses.description.startswith("Onsong: documented 40;")
    long_name = Row(4, "x" * (charts.LABEL_CHARACTERS + 10), persons=1)
    label = charts.layout([long_name]).bars[0].label
    assert label.endswith("…") and len(label) == charts.LABEL_CHARACTERS


def test_a_chart_with_nothing_to_draw_says_so(app, client, login_as):
    from tracker.dashboard import charts
    from tracker.dashboard.services import Row

    assert charts.layout([Row(1, "Onsong"), Row(2, "Dandong")]).empty
    from tracker.persons.services import persons

    crossing("Onsong")
    facility("Shenyang Prison")
    persons.create(None, {"gender": "female"})  # documented, at no crossing or facility
    db.session.commit()
    login_as("analyst")
    page = client.get("/").get_data(as_text=True)
    assert page.count("Nothing to draw: no people are reported or documented here.") == 2
    assert 'class="bar-reported"' not in page


def test_months_are_named_in_the_pages_language(app):
    from tracker.dashboard import charts
    from tracker.dashboard.services import _month_row

    with app.test_request_context(headers={"Accept-Language": "ko"}):
        from flask_babel import force_locale

        with force_locale("ko"):
            names = [
                r.name for r in charts.named_months([_month_row(2023, 10), _month_row(2023, 0)])
            ]
    assert names == ["2023년 10월", "2023년 (월 미상)"]


def test_the_map_names_the_largest_places_of_each_kind_and_draws_them_all(app):
    from tracker.dashboard import geo

    onsong = crossing("Onsong")
    onsong.latitude, onsong.longitude = 42.96, 129.99
    prisons = []
    for n in range(geo.LABELLED_MARKERS + 5):
        prison = facility(f"Prison {n:02d}")
        prison.latitude, prison.longitude = 42.0 + n / 50, 126.0 + n / 50
        prisons.append(prison)
        event(onsong, 10 * (n + 1), None, facilities=[prison])
    nowhere = facility("Unplaced camp")  # no coordinates: listed under the map instead
    event(onsong, 5, 5, facilities=[nowhere])

    drawn, off_map = geo.markers(summarise(Filters()))
    facilities_drawn = [m for m in drawn if m.kind == "facility"]
    assert len(facilities_drawn) == len(prisons) and off_map == ["Unplaced camp"]
    named = {m.name for m in facilities_drawn if m.labelled}
    largest = {f"Prison {n:02d}" for n in range(5, geo.LABELLED_MARKERS + 5)}
    assert named == largest  # the five smallest keep their title but carry no label
    assert [m.labelled for m in drawn if m.kind == "crossing"] == [True]
    assert all(m.text.startswith(m.name + ": reported") for m in drawn)
