"""Entity resolution (de-duplication) of business roster records."""

from niaga.registry.linkage.engine import (
    BUSINESS_SPEC,
    IDENTIFIER_COLUMNS,
    LinkageResult,
    LinkageSpec,
    explain_pair,
    link,
    link_identifiers_only,
)

__all__ = [
    "BUSINESS_SPEC",
    "IDENTIFIER_COLUMNS",
    "LinkageResult",
    "LinkageSpec",
    "explain_pair",
    "link",
    "link_identifiers_only",
]
