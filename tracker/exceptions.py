"""Errors the services raise; the edges (views, API, CLI) turn them into messages."""


class ServiceError(Exception):
    """A rule was broken; `message` is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    """The input breaks a rule; `fields` says which field and why."""

    status_code = 422


class NeedsConfirmation(ValidationFailed):
    """The input looks like a mistake the user may know better about (a new person who looks
    like an existing case): refused unless the user confirms; `confirm` says what to tick."""

    def __init__(self, message: str, fields: dict[str, str], confirm: str):
        super().__init__(message, fields)
        self.confirm = confirm


class PermissionDenied(ServiceError):
    """The actor's role does not allow this."""

    status_code = 403


class NotFound(ServiceError):
    """No such record (or not visible to this actor)."""

    status_code = 404


class Conflict(ServiceError):
    """Someone else changed the record since it was read; `record` is that record, which the
    edge shows as it now is once the unit of work is rolled back."""

    status_code = 409

    def __init__(self, message: str, fields: dict[str, str] | None = None, record: object = None):
        super().__init__(message, fields)
        self.record = record
