from django.utils.translation import gettext_lazy as _

from niaga.core.errors import NiagaError


class InvalidInput(NiagaError):
    """Several fields can be wrong at once; ``field_errors`` names each with its messages."""

    code = "invalid_input"
    status = 422

    def __init__(self, field_errors: dict[str, list[str]]):
        super().__init__(_("Some fields are not valid."))
        self.field_errors = field_errors


class RoleNotAllowed(NiagaError):
    code = "role_not_allowed"
    status = 400
