"""Source forms (input only); the Admiralty grades are shown with their meanings."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from tracker.sources.services import (
    ALLOWED_FILE_TYPES,
    CREDIBILITY_MEANINGS,
    RELIABILITY_MEANINGS,
)
from tracker.workspace.forms import ChoiceField, RecordForm, VocabularyField, long_text, text


class SourceForm(RecordForm):
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=300, message="Use at most 300 characters.")]
    )
    kind = VocabularyField("Kind", "source_kind")
    organisation = text("Organisation", 200)
    published_on = DateField("Date", validators=[Optional()], description="YYYY-MM-DD")
    url = text("Web address", 2000)
    reliability = ChoiceField(
        "Reliability of the source",
        [("", "Not graded")]
        + [(grade, f"{grade} – {meaning}") for grade, meaning in RELIABILITY_MEANINGS.items()],
        description="Admiralty grading: how far this source has proved reliable before.",
    )
    credibility = ChoiceField(
        "Credibility of the information",
        [("", "Not graded")]
        + [(str(grade), f"{grade} – {meaning}") for grade, meaning in CREDIBILITY_MEANINGS.items()],
        description="Admiralty grading: how likely the information is to be true.",
    )
    confidential = BooleanField(
        "Confidential source",
        description="Its identity is hidden from analysts and in redacted exports.",
    )
    notes = long_text("Notes", 20_000)
    submit = SubmitField("Save source")


class SourceFileForm(FlaskForm):
    file = FileField(
        "Attach a file",
        validators=[FileRequired("Choose a file.")],
        description=f"{ALLOWED_FILE_TYPES}; checked by its content.",
    )
    submit = SubmitField("Upload")
