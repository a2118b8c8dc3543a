"""Schema pieces every router shares."""

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class StrictSchema(Schema):
    """Request bodies refuse fields they do not know, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    """Every error the API answers: a stable code, a message, and where it applies."""

    code: str
    message: str
    field: str | None = None
    errors: dict[str, list[str]] | None = None
    detail: list[dict] | None = None


def responses(success: dict[int, Any], *, signed_in: bool = False) -> dict[int, Any]:
    """An operation's documented answers: its own, plus the errors any operation can give."""
    documented: dict[int, Any] = {400: Problem, 413: Problem, 422: Problem, **success}
    if signed_in:
        # 403 also answers an unsafe call on a session that lacks the CSRF token.
        documented[401] = documented[403] = Problem
    return documented
