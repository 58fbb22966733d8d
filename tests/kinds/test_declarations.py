"""Each kind of record is declared once, and every door carries what the declaration names: the
form, the API's schemas and document, the import columns, the export columns and the masking.
A field forgotten by one door fails here."""

import pytest

from tracker.api import declared
from tracker.api.resources import API_KINDS
from tracker.exports.datasets import DATASETS
from tracker.imports.columns import IMPORT_KINDS, import_columns
from tracker.kinds import fields as f
from tracker.kinds.registry import kinds
from tracker.workspace.forms import form_for, inputs, shown_in_forms

DOOR_KINDS = ["facilities", "crossings", "sources", "events", "persons", "statuses"]


def _declared(kind_name):
    kind = kinds()[kind_name]
    return kind, [field for field in kind.fields if not field.internal]


def _json_names(field):
    return set(declared.json_fields(field))


def _export_names(field):
    if isinstance(field, f.Rows):
        return {field.shortcut, field.by_name}
    if isinstance(field, f.Refs):
        return {field.name, field.by_name}
    names = set(field.columns)
    if isinstance(field, f.Ref):
        names.add(field.by_name or field.name.removesuffix("_id"))
    return names


@pytest.mark.parametrize("kind_name", DOOR_KINDS)
def test_the_form_has_an_input_for_every_editable_field(app, kind_name):
    kind, fields = _declared(kind_name)
    form = form_for(kind)(meta={"csrf": False})
    for field in fields:
        if not shown_in_forms(field):
            continue
        for name, _input in inputs(field):
            assert name in form, f"{kind_name}.{field.name}: no input {name}"


@pytest.mark.parametrize("kind_name", [*API_KINDS, "statuses"])
def test_the_api_document_carries_every_field(api_as, kind_name):
    spec = api_as("analyst").get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    kind, fields = _declared(kind_name)
    out = {"statuses": "StatusRecord", "crossings": "CrossingPoint"}.get(kind_name)
    out = out or {"facilities": "Facility", "sources": "Source", "events": "Event"}.get(
        kind_name, "Person"
    )
    properties = set(schemas[out]["properties"])
    writable = set(schemas[f"{out}New"]["properties"])
    for field in fields:
        assert _json_names(field) <= properties, f"{kind_name}.{field.name} not in {out}"
        if field.editable:
            assert _json_names(field) <= writable, f"{kind_name}.{field.name} not writable"


@pytest.mark.parametrize("kind_name", IMPORT_KINDS)
def test_the_importer_reads_every_field_by_name_and_korean_label(app, kind_name):
    kind, fields = _declared(kind_name)
    columns = import_columns(kind_name)
    fed = {column.field for column in columns.values() if column.field is not None}
    for field in fields:
        if field.editable or kind_name == "persons":
            assert field in fed, f"{kind_name}.{field.name}: no import column"
    for column in columns.values():
        if column.field is not None and column.label is not None:
            headers = (*column.synonyms, *column.labels)
            korean = [name for name in headers if any("가" <= c <= "힣" for c in name)]
            assert korean, f"{kind_name}.{column.name}: no Korean header"


@pytest.mark.parametrize("kind_name", DOOR_KINDS)
def test_the_exports_carry_every_field_and_drop_the_identifying_ones(app, kind_name):
    kind, fields = _declared(kind_name)
    dataset = DATASETS[kind_name]
    exported = {column.name for column in dataset.fields}
    redacted = {column.name for column in dataset.columns(identifying=False)}
    per_record = {column.name for column in dataset.fields if column.confidential}
    for field in fields:
        if not field.export:
            continue
        names = _export_names(field)
        assert names <= exported, f"{kind_name}.{field.name}: {names - exported} not exported"
        if field.identifying:
            # Dropped from redacted files, or (a confidential source's) emptied per record.
            assert not (names & redacted) or names <= per_record, f"{kind_name}.{field.name}"


@pytest.mark.parametrize("kind_name", DOOR_KINDS)
def test_an_analyst_is_given_none_of_an_identifying_field(app, kind_name):
    kind, fields = _declared(kind_name)
    for field in fields:
        if field.identifying:
            assert field.for_analyst("anything") is None, f"{kind_name}.{field.name}"
        elif not isinstance(field, f.Rows):
            assert field.for_analyst("shown") == "shown", f"{kind_name}.{field.name}"
