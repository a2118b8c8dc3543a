"""``niaga policy simulate --params FILE.json [--json]``: one scenario file in, its figures out.

Exit status 0 when done; 2, with the reason on stderr, when the file cannot be read, is not
JSON, or holds parameters the lab refuses.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _setup_django() -> None:
    # Only for translated messages: the simulation itself needs no database.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    import django

    django.setup()


def simulate_file(path: Path, *, as_json: bool) -> int:
    _setup_django()
    from django.utils.translation import gettext as _

    from niaga.insights.policy.model import PolicyInputError, parse
    from niaga.insights.policy.results import simulate

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error}, file=sys.stderr
        )
        return 2
    try:
        data = json.loads(text)
    except ValueError as error:
        print(
            _("%(path)s is not valid JSON: %(reason)s") % {"path": path, "reason": error},
            file=sys.stderr,
        )
        return 2
    try:
        scenario = parse(data)
    except PolicyInputError as error:
        print(_("Invalid parameters: %(message)s") % {"message": error.message}, file=sys.stderr)
        return 2
    result = simulate(scenario).as_dict()
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print(_table(result))
    return 0


def _table(result: dict) -> str:
    from django.utils.translation import gettext as _

    head = (
        _("country"),
        _("beneficiaries"),
        _("waived turnover USD"),
        _("fees waived USD"),
        _("induced sales USD"),
    )
    rows = [
        (
            code,
            f"{row['beneficiaries']:,.1f}",
            f"{row['waived_turnover']:,.0f}",
            f"{row['fees_waived']:,.0f}",
            ", ".join(f"→{d} {v:,.0f}" for d, v in row["induced_sales"].items()) or "—",
        )
        for code, row in result["countries"].items()
    ]
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in (head, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [
        "",
        _("Threshold T: USD %(T)s; home: %(home)s")
        % {"T": f"{result['T']:,.0f}", "home": result["home"]},
        _("Net trade of the home country: USD %(net)s")
        % {"net": f"{result['net_trade_home']:,.0f}"},
        result["break_even_statement"],
    ]
    return "\n".join(lines)
