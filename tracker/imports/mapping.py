"""Column mappings: which column of a file feeds which field, proposed from the headers
(exact, case- and spacing-insensitive, known synonyms) and given as JSON by the user.

A mapping is a JSON object {"field": SPEC}; SPEC is a column header, or an object:
{"column": H, "values": {"in file": "stored"}}, {"columns": [H, ...], "join": " "},
{"value": "constant"}, {"flags": [H, ...]} (the headers of the ticked columns, e.g. the
sources that recorded a row). Settings may sit beside the fields: "date_order"
("day-first" or "month-first"), "source_key" (the name that scopes `external_id`) and
"split_commas" (the fields of several values whose cells split on `,` and `、` as well as `;`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from tracker.i18n import kind_label
from tracker.imports.columns import IMPORT_KINDS, import_columns, several_valued
from tracker.imports.reading import Cell, FileRejected, cell_text
from tracker.kinds.values import parse_flag as is_flag_set

KINDS = IMPORT_KINDS
SETTINGS = ("date_order", "source_key", "split_commas")


def normalise_header(text: str) -> str:
    """Header text compared case- and spacing-insensitively: `Date_Start ` = `date start`."""
    return " ".join(re.sub(r"[\s_\-./()]+", " ", text.casefold()).split())


def propose_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """A first mapping from the file's headers: field names, then known synonyms."""
    by_name = {normalise_header(h): h for h in headers}
    proposal: dict[str, str] = {}
    used: set[str] = set()
    columns = import_columns(kind)
    passes: list[Callable[[str, Any], tuple[str, ...]]] = [
        lambda name, column: (name,),
        lambda name, column: column.synonyms,  # declared: "이름" is a Hangul name
        lambda name, column: column.labels,  # before a label that says it too
    ]
    for candidates_of in passes:
        for field_name, column in columns.items():
            if field_name in proposal:
                continue
            candidates = candidates_of(field_name, column)
            for candidate in candidates:
                header = by_name.get(normalise_header(candidate))
                if header is not None and header not in used:
                    proposal[field_name] = header
                    used.add(header)
                    break
    return proposal


@dataclass
class CompiledMapping:
    """A checked mapping: how to read each field from a row, and the settings beside them."""

    readers: dict[str, Callable[[list[Cell]], Any]]
    columns: dict[str, str]  # field -> the column it names in messages
    day_first: bool | None
    source_key: str | None
    split_commas: frozenset[str] = frozenset()  # fields whose cells split on commas too

    def read(self, cells: list[Cell]) -> dict[str, Any]:
        """The row's raw values by field."""
        return {name: reader(cells) for name, reader in self.readers.items()}


def compile_mapping(kind: str, mapping: dict[str, Any], headers: list[str]) -> CompiledMapping:
    """Check a mapping against the kind's fields and the file's headers; FileRejected if wrong."""
    if kind not in KINDS:
        raise FileRejected(
            _("Choose what the file holds: one of %(kinds)s.", kinds=", ".join(KINDS))
        )
    if not isinstance(mapping, dict):
        raise FileRejected(_('A mapping is a JSON object: {"field": "column header"}.'))
    index = {h: i for i, h in enumerate(headers)}
    folded = {normalise_header(h): i for i, h in enumerate(headers)}
    readers: dict[str, Callable[[list[Cell]], Any]] = {}
    columns: dict[str, str] = {}
    for field_name, spec in mapping.items():
        if field_name in SETTINGS:
            continue
        if field_name not in import_columns(kind):
            raise FileRejected(
                _(
                    "%(field)s is not a field of %(kind)s.",
                    field=repr(field_name),
                    kind=kind_label(kind).lower(),
                )
            )
        if spec is None or spec == "":
            continue
        readers[field_name], columns[field_name] = _reader(field_name, spec, index, folded)
    order = mapping.get("date_order")
    if order not in (None, "", "day-first", "month-first"):
        raise FileRejected(_('"date_order" is "day-first" or "month-first".'))
    source_key = mapping.get("source_key")
    if source_key is not None and not isinstance(source_key, str):
        raise FileRejected(_('"source_key" is a name, such as "IOM".'))
    split = mapping.get("split_commas") or []
    several = several_valued(kind)
    if not isinstance(split, list) or any(name not in several for name in split):
        raise FileRejected(
            _(
                '"split_commas" lists fields of several values: %(fields)s.',
                fields=", ".join(sorted(several)),
            )
        )
    return CompiledMapping(
        readers=readers,
        columns=columns,
        day_first=None if not order else order == "day-first",
        source_key=(source_key or "").strip()[:100] or None,
        split_commas=frozenset(split),
    )


def _column(header: Any, index: dict[str, int], folded: dict[str, int]) -> int:
    if not isinstance(header, str):
        raise FileRejected(_("Name each column by its header text."))
    position = index.get(header)
    if position is None:
        position = folded.get(normalise_header(header))
    if position is None:
        raise FileRejected(_("The file has no column %(header)s.", header=repr(header)))
    return position


def _reader(
    field_name: str, spec: Any, index: dict[str, int], folded: dict[str, int]
) -> tuple[Callable[[list[Cell]], Any], str]:
    if isinstance(spec, str):
        position = _column(spec, index, folded)
        return (lambda cells: cells[position]), spec
    if not isinstance(spec, dict):
        raise FileRejected(
            _("The mapping of %(field)s is not a header or an object.", field=repr(field_name))
        )
    if "value" in spec:
        constant = spec["value"]
        if not isinstance(constant, str | int | float | bool) and constant is not None:
            raise FileRejected(
                _("The value given for %(field)s must be text or a number.", field=repr(field_name))
            )
        return (lambda cells: constant), _("(fixed value)")
    if "flags" in spec:
        flags = [(_column(h, index, folded), h) for h in _headers(spec["flags"], field_name)]
        return (
            lambda cells: [h for position, h in flags if is_flag_set(cells[position])]
        ), " / ".join(h for _, h in flags)
    if "columns" in spec:
        positions = [_column(h, index, folded) for h in _headers(spec["columns"], field_name)]
        join = spec.get("join", " ")
        if not isinstance(join, str):
            raise FileRejected(_('"join" of %(field)s must be text.', field=repr(field_name)))
        names = " + ".join(_headers(spec["columns"], field_name))
        return (
            lambda cells: join.join(t for t in (cell_text(cells[p]) for p in positions) if t)
        ), names
    if "column" in spec:
        position = _column(spec["column"], index, folded)
        values = spec.get("values") or {}
        if not isinstance(values, dict):
            raise FileRejected(
                _('"values" of %(field)s must be an object.', field=repr(field_name))
            )
        table = {normalise_header(str(k)): v for k, v in values.items()}

        def read(cells: list[Cell]) -> Any:
            cell = cells[position]
            return table.get(normalise_header(cell_text(cell)), cell) if table else cell

        return read, spec["column"]
    raise FileRejected(
        _(
            "The mapping of %(field)s needs a column, columns, flags or value.",
            field=repr(field_name),
        )
    )


def _headers(value: Any, field_name: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise FileRejected(
            _("List the columns of %(field)s as a JSON array of headers.", field=repr(field_name))
        )
    return value
