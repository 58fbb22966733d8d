"""The event form (input only): a date with its precision, the crossing, origin facilities,
reported figures and what each source claimed."""

from typing import Any

from flask_babel import lazy_gettext as _l
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

NOT_NEGATIVE = NumberRange(min=0, message=_l("Enter 0 or more."))


def people(label: Any, **kwargs: Any) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NOT_NEGATIVE], **kwargs)


class ClaimForm(Form):
    source_id = PickerField(_l("Source"), "sources")
    people_min = people(_l("Says at least"))
    people_max = people(_l("Says at most"), description=_l("Leave empty when unknown."))
    quote = long_text(_l("Quote"), 5_000)
    page_ref = text(_l("Page or timestamp"), 200)


class EventForm(RecordForm):
    date_precision = ChoiceField(
        _l("How precise is the date?"), list(PRECISION_LABELS.items()), default="day"
    )
    date_start = PartialDateField(
        _l("Date"), description=_l("YYYY-MM-DD for a day, YYYY-MM for a month, YYYY for a year.")
    )
    date_end = PartialDateField(_l("Last day"), description=_l("Only for a range: YYYY-MM-DD."))
    date_approximate = BooleanField(_l("Approximate (“around” this date)"))
    crossing_id = PickerField(_l("Crossing point"), "crossings")
    facility_ids = MultiPickerField(_l("Origin facilities"), "facilities")
    transport = text(_l("Transport"), 200, description=_l("e.g. buses, prison vans"))
    people_min = people(_l("People, at least"))
    people_max = people(_l("People, at most"), description=_l("Leave empty when unknown."))
    handed_over_by = text(_l("Handed over by"), 200)
    received_by = text(_l("Received by"), 200)
    description = long_text(_l("Description"), 20_000)
    claims = FieldList(FormField(ClaimForm), label=_l("What each source says"), min_entries=1)
    submit = SubmitField(_l("Save event"))

    def validate_date_start(self, field: PartialDateField) -> None:
        if field.given and self.date_precision.data in ("day", "range") and field.given != "day":
            raise ValidationError(_l("Give the full day (YYYY-MM-DD), or choose Month or Year."))
        if field.given == "year" and self.date_precision.data == "month":
            raise ValidationError(_l("Give the month too (YYYY-MM)."))

    def validate_date_end(self, field: PartialDateField) -> None:
        if field.given and field.given != "day":
            raise ValidationError(_l("Give the full day (YYYY-MM-DD)."))
