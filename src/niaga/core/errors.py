"""The base of every app's error vocabulary."""


class NiagaError(Exception):
    """A user's mistake or a refused action: a stable code, a message, an HTTP status."""

    code = "invalid"
    status = 400

    def __init__(self, message, *, code=None, field=None, params=None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.params = params or {}


class NotFound(NiagaError):
    """The object does not exist, or the user may not see it: the two look the same from outside."""

    code = "not_found"
    status = 404


class PermissionDenied(NiagaError):
    code = "permission_denied"
    status = 403
