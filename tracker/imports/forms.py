"""Reading the import pages' form input: the mapping (per field, or as JSON) and options."""

import json
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from tracker.exceptions import ValidationFailed
from tracker.imports.columns import import_columns
from tracker.imports.mapping import KINDS
from tracker.imports.services import ImportOptions


def kind_from(form: MultiDict[str, str]) -> str:
    """The kind of record the file holds, one of KINDS."""
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise ValidationFailed(_("Choose what the file holds."), {"kind": _("Choose one.")})
    return kind


def mapping_from(kind: str, form: MultiDict[str, str]) -> dict[str, Any]:
    """The mapping: the JSON box when filled in, else one chosen column per field, with the
    values translated on the page and the fields whose cells split on commas."""
    text = (form.get("mapping_json") or "").strip()
    if text:
        try:
            mapping = json.loads(text)
        except ValueError:
            message = _('Write the mapping as JSON: {"field": "column header"}.')
            raise ValidationFailed(message, {"mapping_json": message}) from None
        if not isinstance(mapping, dict):
            message = _('A mapping is a JSON object: {"field": "column header"}.')
            raise ValidationFailed(message, {"mapping_json": message})
    else:
        mapping = {}
        for name in import_columns(kind):
            header = form.get(f"field-{name}")
            if not header:
                continue
            values = _translations(form, name)
            mapping[name] = {"column": header, "values": values} if values else header
        split = [
            name
            for name, column in import_columns(kind).items()
            if column.several and form.get(f"split-{name}") == "y" and name in mapping
        ]
        if split:
            mapping["split_commas"] = split
    for setting in ("date_order", "source_key"):
        value = (form.get(setting) or "").strip()
        if value:
            mapping[setting] = value
    return mapping


def _translations(form: MultiDict[str, str], name: str) -> dict[str, str]:
    """The page's value translations of one field: `values-NAME-I-from` (a value of the
    file) → `values-NAME-I-to` (a term's code); values left "as written" are not listed."""
    found = {}
    index = 0
    while f"values-{name}-{index}-from" in form:
        written = form.get(f"values-{name}-{index}-from", "")
        code = form.get(f"values-{name}-{index}-to", "")
        if written and code:
            found[written] = code
        index += 1
    return found


def options_from(form: MultiDict[str, str], sheet: str | None) -> ImportOptions:
    """The ticked options."""
    return ImportOptions(
        create_missing=form.get("create_missing") == "y",
        allow_similar=form.get("allow_similar") == "y",
        sheet=sheet,
        allow_repeat=form.get("allow_repeat") == "y",
    )
