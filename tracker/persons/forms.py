"""Person, status and contact forms (input only)."""

from flask_babel import lazy_gettext as _l
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
    facility_id = PickerField(_l("Facility"), "facilities")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    note = text(_l("Note"), 5_000)


class PersonForm(RecordForm):
    family_name = text(_l("Family name"), 100)
    given_name = text(_l("Given name"), 100)
    name_hangul = text(_l("Name in Hangul"), 100)
    aliases = LinesField(_l("Aliases and other spellings"), description=_l("One per line."))
    gender = VocabularyField(_l("Gender"), "gender", default="unknown")
    birth_year = IntegerField(_l("Birth year"), validators=[Optional()])
    birth_year_approximate = BooleanField(_l("Birth year is approximate"))
    origin = text(_l("Place of origin (detailed)"), 300)
    origin_region = text(
        _l("Region of origin"), 100, description=_l("Province level; analysts see it.")
    )
    arrest_date = DateField(_l("Date of arrest"), validators=[Optional()])
    arrest_place = text(_l("Place of arrest"), 300)
    event_id = PickerField(_l("Repatriation event"), "events")
    detentions = FieldList(FormField(DetentionForm), label=_l("Detention history"), min_entries=1)
    last_seen_date = DateField(_l("Last seen on"), validators=[Optional()])
    last_seen_place = text(_l("Last seen at"), 300)
    responsible_parties = long_text(_l("Parties believed responsible"), 5_000)
    relatives_actions = long_text(_l("Steps relatives have taken"), 5_000)
    notes = long_text(_l("Notes"), 20_000)
    submit = SubmitField(_l("Save person"))


class StatusForm(FlaskForm):
    status = VocabularyField(_l("Status"), "status")
    as_of = DateField(
        _l("As of"), validators=[DataRequired(_l("Give the date this status was reported for."))]
    )
    source_id = PickerField(_l("Source"), "sources")
    note = long_text(_l("Note"), 5_000)
    submit = SubmitField(_l("Add status"))


class ContactForm(RecordForm):
    person_id = PickerField(_l("Person"), "persons")
    name = text(_l("Name"), 200)
    relation = text(_l("Relation"), 100, description=_l("e.g. sister, witness"))
    location = text(_l("Where"), 300)
    reach = long_text(_l("How to reach"), 2_000)
    notes = long_text(_l("Notes"), 5_000)
    submit = SubmitField(_l("Save contact"))
