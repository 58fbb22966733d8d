"""Person, status and contact forms (input only)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, IntegerField, SubmitField
from wtforms.fields import FieldList, FormField
from wtforms.validators import DataRequired, Optional

from tracker.workspace.forms import (
    LinesField,
    PickerField,
    RecordForm,
    VocabularyField,
    long_text,
    text,
)


class DetentionForm(Form):
    facility_id = PickerField("Facility", "facilities")
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    note = text("Note", 5_000)


class PersonForm(RecordForm):
    family_name = text("Family name", 100)
    given_name = text("Given name", 100)
    name_hangul = text("Name in Hangul", 100)
    aliases = LinesField("Aliases and other spellings", description="One per line.")
    gender = VocabularyField("Gender", "gender", default="unknown")
    birth_year = IntegerField("Birth year", validators=[Optional()])
    birth_year_approximate = BooleanField("Birth year is approximate")
    origin = text("Place of origin (detailed)", 300)
    origin_region = text("Region of origin", 100, description="Province level; analysts see it.")
    arrest_date = DateField("Date of arrest", validators=[Optional()])
    arrest_place = text("Place of arrest", 300)
    event_id = PickerField("Repatriation event", "events")
    detentions = FieldList(FormField(DetentionForm), label="Detention history", min_entries=1)
    last_seen_date = DateField("Last seen on", validators=[Optional()])
    last_seen_place = text("Last seen at", 300)
    responsible_parties = long_text("Parties believed responsible", 5_000)
    relatives_actions = long_text("Steps relatives have taken", 5_000)
    notes = long_text("Notes", 20_000)
    submit = SubmitField("Save person")


class StatusForm(FlaskForm):
    status = VocabularyField("Status", "status")
    as_of = DateField(
        "As of", validators=[DataRequired("Give the date this status was reported for.")]
    )
    source_id = PickerField("Source", "sources")
    note = long_text("Note", 5_000)
    submit = SubmitField("Add status")


class ContactForm(RecordForm):
    person_id = PickerField("Person", "persons")
    name = text("Name", 200)
    relation = text("Relation", 100, description="e.g. sister, witness")
    location = text("Where", 300)
    reach = long_text("How to reach", 2_000)
    notes = long_text("Notes", 5_000)
    submit = SubmitField("Save contact")
