"""Entity resolution (de-duplication) of business roster records.

The engine (Splink, DuckDB, pandas) loads on first use, not on import: a web process that only
normalises a name should not pay seconds of start-up for it.
"""

from importlib import import_module
from typing import Any

__all__ = [
    "BUSINESS_SPEC",
    "IDENTIFIER_COLUMNS",
    "LinkageResult",
    "LinkageSpec",
    "explain_pair",
    "link",
    "link_identifiers_only",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("niaga.registry.linkage.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
