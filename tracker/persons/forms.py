"""The forms that correct or withdraw one entry of a person's history (a status claim, a
detention row) from the person page: the entry's own fields, the reason, and two buttons."""

import functools
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField

from tracker.kinds import fields as f
from tracker.workspace.forms import RecordForm, inputs, shown_in_forms

REASON_HELP = _l("Kept in the history beside the change, e.g. “the source gave 2 December”.")


class CorrectionForm(RecordForm):
    """An entry's fields, the reason for the change, and Save / Withdraw."""

    def values(self) -> dict[str, Any]:
        """The entry's values as the service takes them (without the reason and buttons)."""
        return {
            name: value
            for name, value in super().values().items()
            if name not in ("reason", "save", "withdraw")
        }

    @property
    def withdrawing(self) -> bool:
        return bool(self.withdraw.data)  # type: ignore[attr-defined]


@functools.cache
def correction_form(name: str, fields: tuple[f.Field, ...]) -> type[CorrectionForm]:
    """The correction form of one kind of entry (`name`: "status" or "detention")."""
    attributes: dict[str, Any] = {}
    for field in fields:
        if shown_in_forms(field):
            attributes.update(inputs(field))
    attributes["reason"] = TextAreaField(_l("Reason for the change"), description=REASON_HELP)
    attributes["save"] = SubmitField(_l("Save the correction"))
    attributes["withdraw"] = SubmitField(_l("Withdraw this entry"))
    return type(f"{name.title()}CorrectionForm", (CorrectionForm,), attributes)
