"""The form to attach a file to a source (input only; the source's own form is built from its
field declarations)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from tracker.sources.services import ALLOWED_FILE_TYPES


class SourceFileForm(FlaskForm):
    file = FileField(
        _l("Attach a file"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("%(types)s; checked by its content.", types=ALLOWED_FILE_TYPES),
    )
    submit = SubmitField(_l("Upload"))
