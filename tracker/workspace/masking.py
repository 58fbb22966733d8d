"""What an analyst gets instead of an identifying value: decided on the server, so the
value itself never reaches their browser."""

from typing import Any

from flask_babel import gettext as _


class Masked:
    """Renders as "hidden" (in the page's language); carries nothing of the value it replaces."""

    def __str__(self) -> str:
        return _("hidden")

    def __html__(self) -> str:
        return f'<span class="masked">{_("hidden")}</span>'


MASKED = Masked()


def masked(value: Any, can_see: bool) -> Any:
    """The value for someone who may see identities, else the mask."""
    return value if can_see else MASKED
