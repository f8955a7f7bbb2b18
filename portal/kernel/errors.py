"""Domain errors: services raise them, views turn them into a status and a message."""


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class Conflict(DomainError):
    """The state changed under the caller: stale page, already done, someone was faster."""
    status = 409
    code = "conflict"


def refusal(verdict):
    """The error for a policy verdict that said no."""
    if verdict.code == "not_yours":
        return NotFound("We couldn't find that booking.", verdict.code)
    if verdict.code in ("no_permission", "not_assigned"):
        return Forbidden(verdict.message, verdict.code)
    return Conflict(verdict.message, verdict.code)
