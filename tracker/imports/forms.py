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
    """The mapping: the JSON box when filled in, else one chosen column per field."""
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
        mapping = {
            name: form.get(f"field-{name}")
            for name in import_columns(kind)
            if form.get(f"field-{name}")
        }
    for setting in ("date_order", "source_key"):
        value = (form.get(setting) or "").strip()
        if value:
            mapping[setting] = value
    return mapping


def options_from(form: MultiDict[str, str], sheet: str | None) -> ImportOptions:
    """The ticked options."""
    return ImportOptions(
        create_missing=form.get("create_missing") == "y",
        allow_similar=form.get("allow_similar") == "y",
        sheet=sheet,
    )
