"""Facility and crossing point forms (input only)."""

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.workspace.forms import LinesField, RecordForm, VocabularyField, long_text, text

NAME_MESSAGE = _l("Use at most 200 characters.")


def _latitude() -> DecimalField:
    return DecimalField(
        _l("Latitude"),
        places=None,
        validators=[Optional(), NumberRange(-90, 90, _l("Enter a number between -90 and 90."))],
        description=_l("Decimal degrees, e.g. 42.96"),
    )


def _longitude() -> DecimalField:
    return DecimalField(
        _l("Longitude"),
        places=None,
        validators=[Optional(), NumberRange(-180, 180, _l("Enter a number between -180 and 180."))],
        description=_l("Decimal degrees, e.g. 129.85"),
    )


class FacilityForm(RecordForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200, message=NAME_MESSAGE)]
    )
    name_local = text(_l("Local name (Chinese or Korean)"), 200)
    aliases = LinesField(_l("Other names"), description=_l("One per line."))
    kind = VocabularyField(_l("Kind"), "facility_kind")
    province = text(_l("Province"), 100)
    country = text(_l("Country"), 2, description=_l("Two-letter code: CN, KP, …"))
    latitude = _latitude()
    longitude = _longitude()
    notes = long_text(_l("Notes"), 20_000)
    submit = SubmitField(_l("Save facility"))


class CrossingForm(RecordForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200, message=NAME_MESSAGE)]
    )
    aliases = LinesField(_l("Other names"), description=_l("One per line."))
    cn_side = text(_l("Chinese side"), 200, description=_l("e.g. Tumen"))
    kp_side = text(_l("North Korean side"), 200, description=_l("e.g. Namyang"))
    province = text(_l("Province"), 100)
    latitude = _latitude()
    longitude = _longitude()
    notes = long_text(_l("Notes"), 20_000)
    submit = SubmitField(_l("Save crossing point"))
