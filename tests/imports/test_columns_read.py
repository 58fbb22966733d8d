"""An import reads only the fields its mapping has columns for (`mapped_fields`), by the
columns `_columns_read` names for each field. That list restates which cells
`field_values` reads: a field must give nothing when those columns are all absent, or a
file mapping only another of its columns would have the field skipped without a word."""

import pytest

from tracker.imports.columns import IMPORT_KINDS, import_columns
from tracker.imports.kinds import RowContext, _columns_read, importer_for
from tracker.imports.mapping import compile_mapping
from tracker.imports.services import ImportOptions


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_a_field_gives_nothing_without_the_columns_it_is_said_to_read(app, kind):
    mapping = compile_mapping(kind, {}, [])
    importer = importer_for(kind, None, mapping, ImportOptions(create_missing=True), "test")
    every_column = list(import_columns(kind))
    for field in importer.kind.editable_fields:
        others = {name: "x" for name in every_column if name not in _columns_read(field)}
        row = RowContext(2, others, mapping, frozenset())
        assert importer.field_values(row, field, None) == {}, (kind, field.name)
