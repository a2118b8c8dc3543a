"""A scenario as a query string and back, so every scenario has a URL one can share.

    ?home=ID&countries=ID,IN&T=50000&f=0.029&p=0.5&epsilon=4
     &ID.N=4000&ID.mu=10.5966&ID.sigma=1.3&ID.s=0.6&ID.x.IN=0.25&IN.N=...

Numbers are written with repr, which reads back to the same float, so a shared URL gives the
same figures. A value the query leaves out takes its default; one that is not a number stays
a string, so ``model.parse`` refuses it and names the field.
"""

from __future__ import annotations

from urllib.parse import urlencode

from niaga.insights.policy.model import MAX_COUNTRIES, Scenario
from niaga.insights.policy.parameters import (
    COUNTRY_FIELDS,
    HOME,
    SHARED,
    SHARED_FIELDS,
    country_defaults,
    default_input,
)


def number_text(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def pairs(data: dict) -> list[tuple[str, str]]:
    """The query's (name, value) pairs of an input dict (a parsed scenario's ``as_input``)."""
    countries = data["countries"]
    items = [("home", data["home"]), ("countries", ",".join(countries))]
    items += [(name, number_text(data[name])) for name in SHARED_FIELDS]
    for code, country in countries.items():
        items += [(f"{code}.{name}", number_text(country[name])) for name in COUNTRY_FIELDS]
        items += [(f"{code}.x.{d}", number_text(share)) for d, share in country["x"].items()]
    return items


def to_query(scenario: Scenario) -> str:
    return urlencode(pairs(scenario.as_input()))


def _read(text: str | None, default):
    if text is None or text.strip() == "":
        return default
    try:
        return float(text)
    except ValueError:
        return text  # parse() names the field and says it must be a number


def from_query(query) -> dict:
    """The input dict of a query (a QueryDict or a plain dict); absent values are defaults."""
    if not any(query.get(key) for key in query):
        return default_input()
    listed = query.get("countries") or ",".join(default_input()["countries"])
    codes = list(dict.fromkeys(code.strip().upper() for code in listed.split(",") if code.strip()))
    codes = codes[: MAX_COUNTRIES + 1]  # enough for parse to refuse too many, no more work
    data = {
        "home": (query.get("home") or HOME).strip().upper(),
        **{name: _read(query.get(name), SHARED[name].value) for name in SHARED_FIELDS},
        "countries": {},
    }
    for code in codes:
        defaults = country_defaults(code, codes)
        country = {
            name: _read(query.get(f"{code}.{name}"), defaults[name]) for name in COUNTRY_FIELDS
        }
        shares = dict(defaults["x"])
        prefix = f"{code}.x."
        for key in query:  # shares the query names, even of unlisted countries: parse judges them
            if key.startswith(prefix):
                shares[key[len(prefix) :]] = _read(query.get(key), 0.0)
        country["x"] = shares
        data["countries"][code] = country
    return data
