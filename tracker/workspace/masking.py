"""What an analyst gets instead of an identifying value: decided on the server, so the
value itself never reaches their browser."""

from typing import Any


class Masked:
    """Renders as "hidden"; carries nothing of the value it replaces."""

    def __str__(self) -> str:
        return "hidden"

    def __html__(self) -> str:
        return '<span class="masked">hidden</span>'


MASKED = Masked()


def masked(value: Any, can_see: bool) -> Any:
    """The value for someone who may see identities, else the mask."""
    return value if can_see else MASKED
