"""What the mapping page shows of a file: a few sample values of each column, the distinct
values of the columns that feed a vocabulary (gender, status, kinds, grades) with the term
each one is proposed to mean, and the fields as the interface names them."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.imports.columns import ImportColumn, import_columns
from tracker.imports.reading import Cell, cell_text
from tracker.kinds import fields as f
from tracker.kinds.values import ValueProblem

SAMPLES = 3
# The mapping page reads this many rows of a file for its samples and values (a preview
# reads every row): enough for the values of a vocabulary, quick for any file.
SAMPLE_ROWS = 20_000
MAX_VALUES = 60  # distinct values listed for translation per column


@dataclass
class ColumnValues:
    """A column of the file: its first sample values, and its distinct values in file order
    (up to MAX_VALUES; `more` when there were others)."""

    samples: list[str] = field(default_factory=list)
    distinct: list[str] = field(default_factory=list)
    more: bool = False


def read_samples(
    headers: list[str], rows: Iterable[tuple[int, list[Cell]]]
) -> dict[str, ColumnValues]:
    """Samples and distinct values of each column, from the first SAMPLE_ROWS rows."""
    found = {header: ColumnValues() for header in headers}
    seen: dict[str, set[str]] = {header: set() for header in headers}
    for count, (_number, cells) in enumerate(rows):
        if count >= SAMPLE_ROWS:
            break
        for header, cell in zip(headers, cells, strict=False):
            text = cell_text(cell)
            if not text or text in seen[header]:
                continue
            column = found[header]
            if len(column.distinct) >= MAX_VALUES:
                column.more = True
                continue
            seen[header].add(text)
            column.distinct.append(text)
            if len(column.samples) < SAMPLES:
                column.samples.append(text)
    return found


def has_terms(column: ImportColumn) -> bool:
    """Whether a column's values are terms of a vocabulary or one of fixed options."""
    return isinstance(column.field, f.Term | f.Choice)


def term_choices(column: ImportColumn) -> list[tuple[str, str]]:
    """The tracker's terms a value of this column may be translated to: (code, label in the
    interface's language)."""
    from tracker.vocab.labels import label
    from tracker.vocab.terms import term_index

    if isinstance(column.field, f.Term):
        vocabulary = column.field.vocabulary
        return [(code, label(vocabulary, code)) for code, _en, _ko in term_index(vocabulary)[1]]
    if isinstance(column.field, f.Choice):
        return [(str(code), f"{code} – {text}") for code, text in column.field.options.items()]
    return []


def proposed_term(column: ImportColumn, value: str) -> str:
    """The term a file's value means when it is written as a code, a label in any language
    or a known other name ("여", "F"); "" when it matches none."""
    if column.field is None:
        return ""
    try:
        return str(column.field.parse(value, None) or "")
    except ValueProblem:
        return ""


@dataclass
class FieldRow:
    """One field on the mapping page: its label and description in the interface's
    language, the chosen column with its samples, and the value translations."""

    name: str
    label: str
    description: str
    header: str
    samples: list[str]
    several: bool
    split_commas: bool
    translations: list[tuple[str, str]]  # (value in the file, chosen term code or "")
    choices: list[tuple[str, str]]
    more_values: bool


def field_rows(
    kind: str, proposal: dict[str, Any], samples: dict[str, ColumnValues]
) -> list[FieldRow]:
    """The mapping page's rows, from a mapping (proposed, saved or being edited)."""
    rows = []
    split = set(proposal.get("split_commas") or [])
    for name, column in import_columns(kind).items():
        spec = proposal.get(name)
        header = spec.get("column", "") if isinstance(spec, dict) else (spec or "")
        given = (spec.get("values") or {}) if isinstance(spec, dict) else {}
        values = samples.get(header, ColumnValues())
        translations: list[tuple[str, str]] = []
        choices: list[tuple[str, str]] = []
        if header and has_terms(column):
            choices = term_choices(column)
            translations = [
                (value, str(given.get(value) or proposed_term(column, value)))
                for value in values.distinct
            ]
        rows.append(
            FieldRow(
                name=name,
                label=str(column.label) if column.label is not None else name,
                description=str(column.description) if column.description else "",
                header=header,
                samples=values.samples,
                several=column.several,
                split_commas=name in split,
                translations=translations,
                choices=choices,
                more_values=values.more,
            )
        )
    return rows


def propose_split(kind: str, proposal: dict[str, Any], samples: dict[str, ColumnValues]) -> None:
    """Propose splitting on commas (and 、) the columns of several values whose cells have
    them (the user unticks it for names that hold a comma)."""
    if "split_commas" in proposal:
        return
    split = []
    for name, column in import_columns(kind).items():
        header = proposal.get(name)
        if not column.several or not isinstance(header, str) or header not in samples:
            continue
        values = samples[header].distinct
        if any(mark in v for v in values for mark in (",", "、", "，")):
            split.append(name)
    if split:
        proposal["split_commas"] = split
