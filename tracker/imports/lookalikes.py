"""How the importer names the record a row looks like, in the interface's language.

The importers keep a look-alike as a label that is data, not text ("row 3" for a row above
in the same file, "event #12", or a case code): the row's message, the report's lines and
the preview's table all name it through these two functions."""

from flask_babel import gettext as _


def record_name(label: str) -> str:
    """A look-alike as a list names it: "row 3 above", "event #12", a case by its code."""
    if label.startswith("row "):
        return _("row %(row)s above", row=label.removeprefix("row "))
    if label.startswith("event #"):
        return _("event #%(id)s", id=label.removeprefix("event #"))
    return label


def lookalike_name(label: str) -> str:
    """A look-alike as a sentence names it: "row 3 above", "event #12", "case RT-2023-0001"."""
    if label.startswith(("row ", "event #")):
        return record_name(label)
    return _("case %(code)s", code=label)
