"""Estimates of how many persons no list documented: the lists and the model are checked, the
overlap table is read, a model is fitted, and the answer carries its interval, its warnings and
its method note; or a refusal that says why. Only counts come out: never who is on a list."""

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit import services as audit
from tracker.dashboard.filters import Filters
from tracker.estimates import mse
from tracker.estimates import queries as q
from tracker.estimates.models import SavedList
from tracker.exceptions import ValidationFailed
from tracker.extensions import db
from tracker.search.duplicates import unreviewed_count
from tracker.sources.models import Source

MODELS = ("stepwise", "independence", "aic", "bic")
# Below this many documented persons no number is given. The interval rests on
# large-sample approximations (the chi-square of the profile likelihood, Poisson counts
# in each overlap cell): with a few dozen persons spread over three or more lists and their
# overlaps, most cells hold a handful of persons or none, and an interval computed
# anyway would look precise while being meaningless.
MIN_DOCUMENTED = 50
# A search over every model is long work: in a request or on the dashboard only searches of
# at most this many models run (four lists with pairs: 64). Longer ones run from the command
# line, which shows its progress (`tracker estimate --model bic`).
MAX_MODELS_IN_REQUEST = 64
MAX_LISTS = 8
STEPWISE_THRESHOLD = 0.05
# Look-alike pairs read for the warning: past this many, "100+" says enough.
WARN_PAIRS = 100


@dataclass(frozen=True)
class EstimateRequest:
    """What to estimate: named lists of source ids, the dashboard's filters, the model."""

    lists: dict[str, list[int]]
    filters: Filters = field(default_factory=Filters)
    model: str = "stepwise"
    max_order: int = 2


def parse_lists(raw: Any, saved: list[str] | None = None) -> dict[str, list[int]]:
    """Named lists as {"name": [source ids]}, checked: names short and distinct, ids whole
    numbers; then the saved lists named in `saved`. Every door (form, API, command line)
    passes what it read through here."""
    if saved:
        return with_saved(parse_lists(raw) if raw else {}, saved)
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed(
            _("Give the lists as names with the sources in each."),
            {"lists": _("Name each list and choose its sources.")},
        )
    lists: dict[str, list[int]] = {}
    problems: dict[str, str] = {}
    for name, ids in raw.items():
        label = str(name).strip()
        if not label or len(label) > 60:
            problems["lists"] = _("Give each list a name of at most 60 characters.")
            continue
        if label.lower() == "count":
            problems[label] = _("“count” names the column of counts; call the list otherwise.")
            continue
        if isinstance(ids, str):
            ids = [part for part in ids.replace(";", ",").split(",") if part.strip()]
        if not isinstance(ids, list | tuple) or not ids:
            problems[label] = _("Choose at least one source for this list.")
            continue
        numbers = []
        for value in ids:
            text = str(value).strip()
            if text.lower().startswith("kind:"):
                # Every live source of that kind ("Media" = all sources of kind media).
                numbers.extend(_sources_of_kind(text[5:].strip()))
                continue
            try:
                number = int(text)
            except ValueError:
                number = 0
            if number <= 0 or number > 2**31 - 1:
                problems[label] = _("Not a valid source number: %(value)s", value=str(value)[:20])
                break
            numbers.append(number)
        lists[label] = list(dict.fromkeys(numbers))
        if not lists[label] and label not in problems:
            problems[label] = _("No source is of this kind yet.")
    if problems:
        raise ValidationFailed(_("Please correct the lists."), problems)
    return lists


def _sources_of_kind(code: str) -> list[int]:
    return list(
        db.session.execute(
            select(Source.id)
            .where(Source.kind == code[:40], Source.deleted_at.is_(None))
            .order_by(Source.id)
        ).scalars()
    )


def saved_lists() -> list[SavedList]:
    """The lists saved by name, by name."""
    return list(db.session.execute(select(SavedList).order_by(SavedList.name)).scalars())


def with_saved(lists: dict[str, list[int]], names: list[str]) -> dict[str, list[int]]:
    """`lists` with the saved lists of these names added (each under its own name)."""
    found = {
        saved.name: saved
        for saved in db.session.execute(
            select(SavedList).where(SavedList.name.in_(names))
        ).scalars()
    }
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationFailed(
            _("No list is saved under this name: %(names)s", names=", ".join(missing)[:200]),
            {"saved_lists": _("unknown name")},
        )
    combined = dict(lists)
    for name in names:
        combined[name] = list(found[name].source_ids)
    return combined


def save_lists(actor: Any, lists: dict[str, list[int]]) -> list[SavedList]:
    """Save each list under its name for reuse (replacing one of the same name); audited.
    Any signed-in role may: a list is a name and source numbers, never a person."""
    _check_sources(lists)
    saved = []
    for name, ids in lists.items():
        entry = db.session.execute(
            select(SavedList).where(SavedList.name == name)
        ).scalar_one_or_none()
        before = list(entry.source_ids) if entry is not None else None
        if entry is None:
            entry = SavedList(name=name, source_ids=ids, created_by_id=getattr(actor, "id", None))
            db.session.add(entry)
        else:
            entry.source_ids = ids
        db.session.flush()
        audit.record(
            actor,
            "estimate_list.save",
            entity_type="estimate_lists",
            entity_id=entry.id,
            changes={"name": name, "old": before, "new": ids},
        )
        saved.append(entry)
    return saved


def estimate(request: EstimateRequest, in_request: bool = True, progress: Any = None) -> dict:
    """The estimated total including the undocumented, for these lists and filters."""
    model = request.model
    if model not in MODELS:
        raise ValidationFailed(
            _("Choose a model: stepwise, independence, aic or bic."), {"model": model}
        )
    if request.max_order not in (2, 3):
        raise ValidationFailed(_("The highest order of interactions is 2 or 3."), {})
    lists = request.lists
    if len(lists) < 3:
        raise ValidationFailed(
            _(
                "An estimate needs at least three lists. With two, nothing can tell whether "
                "being on one list makes being on the other more likely, and the estimate "
                "rests on assuming they are independent."
            ),
            {"lists": _("Define three lists or more.")},
        )
    if len(lists) > MAX_LISTS:
        raise ValidationFailed(
            _("At most %(n)d lists can be compared at once.", n=MAX_LISTS), {"lists": ""}
        )
    _check_sources(lists)
    names = tuple(lists)
    counts = q.pattern_counts([lists[name] for name in names], request.filters)
    table = mse.Table(names, counts)
    result: dict[str, Any] = {
        "documented": table.observed,
        "lists": [
            {"name": name, "source_ids": lists[name], "persons": table.list_total(i)}
            for i, name in enumerate(names)
        ],
        "overlaps": overlaps(table),
        "warnings": warnings_for(table, request.filters, lists),
        "filters": request.filters.as_query(),
        "method_note": method_note(),
    }
    _refuse_unless_usable(table)
    if model in ("aic", "bic"):
        models = mse.model_count(table.size, request.max_order)
        if in_request and models > MAX_MODELS_IN_REQUEST:
            raise ValidationFailed(
                _(
                    "Searching all %(n)d models of %(lists)d lists is long work: run it "
                    "from the command line (tracker estimate --model %(model)s), which shows "
                    "its progress, or choose the stepwise model.",
                    n=models,
                    lists=table.size,
                    model=model,
                ),
                {"model": model},
            )
    try:
        if model == "stepwise":
            fitted = mse.stepwise(table, STEPWISE_THRESHOLD)
        elif model == "independence":
            fitted = mse.independence(table)
        else:
            fitted = mse.best_by(table, model, request.max_order, progress)
        mse.with_interval(fitted)
    except mse.NoEstimate as refusal:
        raise ValidationFailed(_refusal_message(refusal.reason), {"model": model}) from refusal
    assert fitted.lower is not None and fitted.upper is not None
    result.update(
        {
            "estimate": round(fitted.total),
            "undocumented": round(fitted.unobserved),
            "lower": round(fitted.lower),
            "upper": round(fitted.upper),
            "interval": "profile likelihood, 95%",
            "model": model,
            "model_description": model_description(model, request.max_order),
            "max_order": request.max_order,
            "terms": [[names[i] for i in term] for term in fitted.terms],
            "empty_terms": [[names[i] for i in term] for term in fitted.empty_terms],
            "aic": round(fitted.aic, 2),
            "bic": round(fitted.bic, 2),
        }
    )
    return result


def overlap_table(lists: dict[str, list[int]], filters: Filters) -> dict:
    """The overlap table alone (no model): what a statistician checks in R, given even when
    no estimate can be."""
    _check_sources(lists)
    names = tuple(lists)
    table = mse.Table(names, q.pattern_counts([lists[name] for name in names], filters))
    return {
        "documented": table.observed,
        "lists": [{"name": name, "source_ids": lists[name]} for name in names],
        "overlaps": overlaps(table),
    }


def overlaps(table: mse.Table) -> list[dict[str, int]]:
    """The overlap table: one row per observed capture pattern, a 0/1 per list and `count`."""
    rows = []
    for pattern in sorted(table.counts, key=lambda p: (-sum(p), [-v for v in p])):
        row = {name: pattern[i] for i, name in enumerate(table.lists)}
        row["count"] = table.counts[pattern]
        rows.append(row)
    return rows


def overlaps_csv(result: dict) -> str:
    """The overlap table as CSV (one 0/1 column per list, then `count`), for R."""
    names = [entry["name"] for entry in result["lists"]]
    lines = [",".join(_csv_cell(n) for n in [*names, "count"])]
    for row in result["overlaps"]:
        lines.append(",".join(str(row[n]) for n in [*names, "count"]))
    return "\r\n".join(lines) + "\r\n"


def _csv_cell(value: str) -> str:
    text = value.replace('"', '""')
    # A leading =, +, - or @ would run as a formula in a spreadsheet.
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return f'"{text}"'


def _check_sources(lists: dict[str, list[int]]) -> None:
    wanted = {s for ids in lists.values() for s in ids}
    live = set(
        db.session.execute(
            select(Source.id).where(Source.id.in_(wanted), Source.deleted_at.is_(None))
        ).scalars()
    )
    problems: dict[str, str] = {}
    seen: dict[int, str] = {}
    for name, ids in lists.items():
        missing = [i for i in ids if i not in live]
        if missing:
            problems[name] = _(
                "No such source: %(ids)s", ids=", ".join(str(i) for i in missing[:5])
            )
        for source_id in ids:
            if source_id in seen and seen[source_id] != name:
                problems[name] = _(
                    "Source %(id)d is in two lists (%(a)s and %(b)s): each source belongs "
                    "to one list, or the lists overlap by construction.",
                    id=source_id,
                    a=seen[source_id],
                    b=name,
                )
            seen.setdefault(source_id, name)
    if problems:
        raise ValidationFailed(_("Please correct the lists."), problems)


def _refuse_unless_usable(table: mse.Table) -> None:
    for i, name in enumerate(table.lists):
        shared = sum(table.on_all((i, j)) for j in range(table.size) if j != i)
        if shared == 0:
            raise ValidationFailed(
                _(
                    "The list “%(name)s” shares nobody with any other list. Overlaps are "
                    "what the estimate reads: a list that overlaps no other says nothing "
                    "about how many were missed. Merge it into another list or leave it out.",
                    name=name,
                ),
                {name: _("overlaps no other list")},
            )
    if table.observed < MIN_DOCUMENTED:
        raise ValidationFailed(
            _(
                "Only %(n)d persons are on these lists; an estimate needs at least %(min)d. "
                "With fewer, most overlaps hold a handful of persons or none, and the "
                "interval's approximations do not hold: any figure would look more certain "
                "than it is.",
                n=table.observed,
                min=MIN_DOCUMENTED,
            ),
            {"lists": _("too few persons")},
        )


def _refusal_message(reason: str) -> str:
    if reason == "open_interval":
        return _(
            "The model gives a figure but no upper limit: the data are consistent with any "
            "number above it. No estimate is given. Try fewer or merged lists, or another "
            "model."
        )
    if reason == "not_converged":
        return _(
            "The model could not be fitted to these lists (the fit does not converge). No "
            "estimate is given."
        )
    return _(
        "With these lists the model's estimate is infinite: some combination of lists shares "
        "too few persons for the model to say how many were missed. No estimate is given. "
        "Try fewer or merged lists, or the stepwise model."
    )


def warnings_for(table: mse.Table, filters: Filters, lists: dict[str, list[int]]) -> list[str]:
    """What the reader should weigh: unreviewed look-alikes, persons on no list, pairs of
    lists that share nobody."""
    found = []
    among = q.counted_persons([list(ids) for ids in lists.values()], filters)
    pairs = unreviewed_count(among, limit=WARN_PAIRS)
    if pairs:
        shown = str(pairs) + ("+" if pairs >= WARN_PAIRS else "")
        found.append(
            _(
                "Possible duplicates not yet reviewed: %(num)s. The estimate may be too high.",
                num=shown,
            )
        )
    outside = q.persons_in_scope(filters) - table.observed
    if outside > 0:
        found.append(
            _(
                "Documented persons the filters select who are on none of these lists, and "
                "not counted: %(num)d.",
                num=outside,
            )
        )
    for i, j in mse.pairs(table.size):
        if table.on_all((i, j)) == 0:
            found.append(
                _(
                    "“%(a)s” and “%(b)s” share nobody; a model term for the pair is not "
                    "estimable and is left out of the stepwise model (set to minus infinity "
                    "in the AIC and BIC searches).",
                    a=table.lists[i],
                    b=table.lists[j],
                )
            )
    return found


def model_description(model: str, max_order: int = 2) -> str:
    """What the model is, in the page's language, as a report must say it."""
    if model == "independence":
        return _("Independence: main effects only, every list taken as independent of the others.")
    if model == "stepwise":
        return _(
            "Stepwise (Bales, Hesketh & Silverman 2015): from main effects, the pair of lists "
            "whose interaction lowers AIC most is added while its Wald p-value is at most "
            "0.05; pairs that share nobody or give no finite estimate are never added."
        )
    criterion = "AIC" if model == "aic" else "BIC"
    return _(
        "Best by %(criterion)s among all hierarchical models with interactions of up to "
        "%(order)d lists.",
        criterion=criterion,
        order=max_order,
    )


def method_note() -> str:
    """The assumptions of every estimate and what it cannot tell, in the page's language."""
    return _(
        "Multiple systems estimation reads how the lists overlap to estimate how many persons "
        "no list documented. It assumes a closed population (the same persons throughout the "
        "period), lists defined before looking at the results, duplicates merged (a person "
        "counted twice inflates the estimate), and that the model's interactions capture how "
        "the lists depend on each other. Log-linear models are fitted with statsmodels' "
        "Poisson GLM; the unobserved count is exp(intercept); the %(level)s interval is the "
        "profile likelihood interval (Cormack 1992, as Rcapture). It cannot tell who the "
        "undocumented are, nor account for persons no list could ever reach; it is an estimate, "
        "apart from the reported and documented figures and never added to them.",
        level="95%",
    )
