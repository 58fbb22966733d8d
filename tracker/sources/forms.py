"""Source forms (input only); the Admiralty grades are shown with their meanings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from tracker.sources.services import (
    ALLOWED_FILE_TYPES,
    CREDIBILITY_MEANINGS,
    RELIABILITY_MEANINGS,
    graded,
)
from tracker.workspace.forms import ChoiceField, RecordForm, VocabularyField, long_text, text


class SourceForm(RecordForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=300, message=_l("Use at most 300 characters."))],
    )
    kind = VocabularyField(_l("Kind"), "source_kind")
    organisation = text(_l("Organisation"), 200)
    published_on = DateField(_l("Date"), validators=[Optional()], description="YYYY-MM-DD")
    url = text(_l("Web address"), 2000)
    reliability = ChoiceField(
        _l("Reliability of the source"),
        [("", _l("Not graded"))]
        + [(grade, graded(grade, meaning)) for grade, meaning in RELIABILITY_MEANINGS.items()],
        description=_l("Admiralty grading: how far this source has proved reliable before."),
    )
    credibility = ChoiceField(
        _l("Credibility of the information"),
        [("", _l("Not graded"))]
        + [(str(grade), graded(grade, meaning)) for grade, meaning in CREDIBILITY_MEANINGS.items()],
        description=_l("Admiralty grading: how likely the information is to be true."),
    )
    confidential = BooleanField(
        _l("Confidential source"),
        description=_l("Its identity is hidden from analysts and in redacted exports."),
    )
    notes = long_text(_l("Notes"), 20_000)
    submit = SubmitField(_l("Save source"))


class SourceFileForm(FlaskForm):
    file = FileField(
        _l("Attach a file"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("%(types)s; checked by its content.", types=ALLOWED_FILE_TYPES),
    )
    submit = SubmitField(_l("Upload"))
