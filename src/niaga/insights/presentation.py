"""A figure as an HTML table shows it: money formatted in the reader's language, blanked
cells marked as suppressed."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from niaga.core.money import Money
from niaga.insights.figures import Figure


def table(figure: Figure) -> dict:
    language = get_language() or "en"
    columns = [column for column in figure.columns if column.kind != "bool"]
    rows = []
    for row in figure.rows:
        cells = []
        for column in columns:
            value = row.get(column.name)
            if value is None:
                cells.append(_("suppressed") if row.get("suppressed") else "—")
            elif column.kind == "usd_minor":
                cells.append(Money(value, "USD").format(language))
            elif column.kind == "native_minor":
                cells.append(Money(value, row["key"]).format(language))
            else:
                cells.append(str(value))
        rows.append({"cells": cells, "suppressed": bool(row.get("suppressed"))})
    return {
        "slug": figure.slug,
        "title": str(figure.title),
        "note": str(figure.note),
        "headers": [str(column.label) for column in columns],
        "rows": rows,
    }
