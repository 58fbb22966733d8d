"""The event form (input only): a date with its precision, the crossing, origin facilities,
reported figures and what each source claimed."""

from typing import Any

from wtforms import BooleanField, Form, IntegerField, SubmitField
from wtforms.fields import FieldList, FormField
from wtforms.validators import NumberRange, Optional, ValidationError

from tracker.events.services import PRECISION_LABELS
from tracker.workspace.forms import (
    ChoiceField,
    MultiPickerField,
    PartialDateField,
    PickerField,
    RecordForm,
    long_text,
    text,
)

NOT_NEGATIVE = NumberRange(min=0, message="Enter 0 or more.")


def people(label: str, **kwargs: Any) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NOT_NEGATIVE], **kwargs)


class ClaimForm(Form):
    source_id = PickerField("Source", "sources")
    people_min = people("Says at least")
    people_max = people("Says at most", description="Leave empty when unknown.")
    quote = long_text("Quote", 5_000)
    page_ref = text("Page or timestamp", 200)


class EventForm(RecordForm):
    date_precision = ChoiceField(
        "How precise is the date?", list(PRECISION_LABELS.items()), default="day"
    )
    date_start = PartialDateField(
        "Date", description="YYYY-MM-DD for a day, YYYY-MM for a month, YYYY for a year."
    )
    date_end = PartialDateField("Last day", description="Only for a range: YYYY-MM-DD.")
    date_approximate = BooleanField("Approximate (“around” this date)")
    crossing_id = PickerField("Crossing point", "crossings")
    facility_ids = MultiPickerField("Origin facilities", "facilities")
    transport = text("Transport", 200, description="e.g. buses, prison vans")
    people_min = people("People, at least")
    people_max = people("People, at most", description="Leave empty when unknown.")
    handed_over_by = text("Handed over by", 200)
    received_by = text("Received by", 200)
    description = long_text("Description", 20_000)
    claims = FieldList(FormField(ClaimForm), label="What each source says", min_entries=1)
    submit = SubmitField("Save event")

    def validate_date_start(self, field: PartialDateField) -> None:
        if field.given and self.date_precision.data in ("day", "range") and field.given != "day":
            raise ValidationError("Give the full day (YYYY-MM-DD), or choose Month or Year.")
        if field.given == "year" and self.date_precision.data == "month":
            raise ValidationError("Give the month too (YYYY-MM).")

    def validate_date_end(self, field: PartialDateField) -> None:
        if field.given and field.given != "day":
            raise ValidationError("Give the full day (YYYY-MM-DD).")
