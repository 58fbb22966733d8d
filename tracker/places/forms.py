"""Facility and crossing point forms (input only)."""

from wtforms import DecimalField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.workspace.forms import LinesField, RecordForm, VocabularyField, long_text, text

NAME_MESSAGE = "Use at most 200 characters."


def _latitude() -> DecimalField:
    return DecimalField(
        "Latitude",
        places=None,
        validators=[Optional(), NumberRange(-90, 90, "Enter a number between -90 and 90.")],
        description="Decimal degrees, e.g. 42.96",
    )


def _longitude() -> DecimalField:
    return DecimalField(
        "Longitude",
        places=None,
        validators=[Optional(), NumberRange(-180, 180, "Enter a number between -180 and 180.")],
        description="Decimal degrees, e.g. 129.85",
    )


class FacilityForm(RecordForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200, message=NAME_MESSAGE)])
    name_local = text("Local name (Chinese or Korean)", 200)
    aliases = LinesField("Other names", description="One per line.")
    kind = VocabularyField("Kind", "facility_kind")
    province = text("Province", 100)
    country = text("Country", 2, description="Two-letter code: CN, KP, …")
    latitude = _latitude()
    longitude = _longitude()
    notes = long_text("Notes", 20_000)
    submit = SubmitField("Save facility")


class CrossingForm(RecordForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200, message=NAME_MESSAGE)])
    aliases = LinesField("Other names", description="One per line.")
    cn_side = text("Chinese side", 200, description="e.g. Tumen")
    kp_side = text("North Korean side", 200, description="e.g. Namyang")
    province = text("Province", 100)
    latitude = _latitude()
    longitude = _longitude()
    notes = long_text("Notes", 20_000)
    submit = SubmitField("Save crossing point")
