"""The dashboard's estimate panel: lists defined in its form (each a name and sources, or a
saved list), read from the query string, estimated for the dashboard's filters. Only counts
and the lists' own names are shown."""

from dataclasses import dataclass, field
from typing import Any

from tracker.dashboard.filters import Filters
from tracker.estimates import services
from tracker.exceptions import ValidationFailed
from tracker.kinds.listing import picker_choices
from tracker.kinds.registry import kind
from tracker.vocab.labels import labels_by_code

MAX_ROWS = services.MAX_LISTS


@dataclass
class ListRow:
    """One row of the form: the list's name and its chosen sources."""

    number: int
    name: str = ""
    source_ids: list[str] = field(default_factory=list)


@dataclass
class Panel:
    """What the panel shows: the form's rows and choices, then a result or a refusal."""

    rows: list[ListRow]
    sources: list[tuple[str, str]]
    model: str
    saved: list[tuple[str, str]] = field(default_factory=list)
    kinds: list[tuple[str, str]] = field(default_factory=list)
    asked: bool = False
    result: dict | None = None
    refusal: str | None = None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> dict[str, Any]:
        """The panel's own part of the query string (for the CSV link)."""
        values: dict[str, Any] = {"model": self.model}
        for row in self.rows:
            if row.name:
                values[f"list{row.number}"] = row.name
                values[f"list{row.number}_sources"] = row.source_ids
        return values


def read_rows(args: Any) -> list[ListRow]:
    """The list rows the query string holds (list1, list1_sources, … list8); a row may name
    a saved list instead (list1_saved), whose name and sources it then takes."""
    saved = {str(entry.id): entry for entry in services.saved_lists()}
    rows = []
    for number in range(1, MAX_ROWS + 1):
        chosen = saved.get((args.get(f"list{number}_saved") or "").strip())
        if chosen is not None:
            rows.append(ListRow(number, chosen.name, [str(i) for i in chosen.source_ids]))
            continue
        name = (args.get(f"list{number}") or "").strip()[:60]
        ids = [v for v in args.getlist(f"list{number}_sources") if v.strip()]
        # Typed numbers, where there are too many sources to list in a select.
        typed = (args.get(f"list{number}_ids") or "").replace(";", ",").split(",")
        ids = list(dict.fromkeys(ids + [v.strip() for v in typed if v.strip()]))[:200]
        kind_code = (args.get(f"list{number}_kind") or "").strip()[:40]
        if kind_code:
            ids.append(f"kind:{kind_code}")
        if name or ids:
            rows.append(ListRow(number, name, ids))
    return rows


def asks_for_estimate(args: Any) -> bool:
    """Whether the query string defines lists to estimate from (the panel then shows a result
    and a form to save the lists, with the session's CSRF token)."""
    return bool(read_rows(args))


def lists_of(rows: list[ListRow]) -> dict[str, list[int]]:
    """The rows as named lists, checked by the one parser every door uses."""
    return services.parse_lists({row.name or f"#{row.number}": row.source_ids for row in rows})


def panel(args: Any, filters: Filters, can_see: bool) -> Panel:
    """The panel for these query-string values and filters; an estimate when lists were
    given, or a refusal saying why."""
    rows = read_rows(args)
    model = args.get("model") if args.get("model") in services.MODELS else "stepwise"
    shown = list(rows)
    numbers = {row.number for row in rows}
    free = (n for n in range(1, MAX_ROWS + 1) if n not in numbers)
    while len(shown) < max(3, min(len(rows) + 1, MAX_ROWS)):
        shown.append(ListRow(next(free)))
    shown.sort(key=lambda row: row.number)
    result = Panel(
        shown,
        picker_choices(kind("sources"), can_see),
        model,
        [(str(entry.id), entry.name) for entry in services.saved_lists()],
        list(labels_by_code(["source_kind"])["source_kind"].items()),
    )
    if not rows:
        return result
    result.asked = True
    try:
        lists = lists_of(rows)
        result.result = services.estimate(services.EstimateRequest(lists, filters, model))
    except ValidationFailed as refusal:
        result.refusal = refusal.message
        result.problems = dict(refusal.fields)
    return result
