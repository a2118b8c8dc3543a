"""Schema pieces every router shares."""

from ninja import Schema
from pydantic import ConfigDict


class StrictSchema(Schema):
    """Request bodies refuse fields they do not know, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    code: str
    message: str
    field: str | None = None


class FieldProblems(Schema):
    code: str
    message: str
    errors: dict[str, list[str]]
