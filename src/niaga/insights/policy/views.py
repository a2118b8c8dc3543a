"""The policy lab page: sliders on the left of the URL, figures on the right of it.

The form is a GET form, so a scenario is its URL: htmx swaps in the results partial and
pushes the URL on every change; without JavaScript the submit button loads the same page.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pycountry
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niaga.core.pages import public
from niaga.insights.charts import figure_html
from niaga.insights.policy import fit, montecarlo, parameters, scenario_url, sensitivity
from niaga.insights.policy.model import PolicyInputError, Scenario, parse
from niaga.insights.policy.results import simulate

OUTPUT_LABELS = {
    "net_trade_home": gettext_lazy("net trade of the home country (USD)"),
    "fees_waived": gettext_lazy("fees waived, all countries (USD)"),
    "beneficiaries": gettext_lazy("firms under the threshold, all countries"),
    "waived_turnover": gettext_lazy("turnover under the threshold, all countries (USD)"),
}

# Slider ends (the number input beside each accepts anything the model does); "log" sliders
# move along log10 of the value.
SLIDERS = {
    "T": (3.0, 8.0, 0.01, True),
    "f": (0.0, 0.1, 0.001, False),
    "p": (0.0, 1.0, 0.01, False),
    "epsilon": (0.1, 20.0, 0.1, False),
    "N": (0.0, 7.0, 0.01, True),
    "mu": (5.0, 16.0, 0.01, False),
    "sigma": (0.05, 4.0, 0.01, False),
    "s": (0.0, 1.0, 0.01, False),
    "x": (0.0, 1.0, 0.01, False),
}
FAN_THRESHOLDS = np.geomspace(*parameters.BREAK_EVEN_RANGE, 41)


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return country.name if country else code


def _field(name: str, path: str, kind: str, value, error_field: str | None) -> dict:
    low, high, step, log = SLIDERS[kind]
    number = value if isinstance(value, float) and math.isfinite(value) else None
    if number is None:
        position = (low + high) / 2
    elif log:
        position = math.log10(number) if number > 0 else low
    else:
        position = number
    return {
        "name": name,
        "id": "policy-" + name.replace(".", "-"),
        "label": parameters.label(path),
        "value": scenario_url.number_text(value) if number is not None else value,
        "slider": {
            "min": low,
            "max": high,
            "step": step,
            "log": log,
            "value": min(max(position, low), high),
        },
        "source": parameters.default_parameter(path).source,
        "error": error_field == path,
    }


def _form(data: dict, error_field: str | None) -> dict:
    shared = [
        _field(name, name, name, data[name], error_field) for name in parameters.SHARED_FIELDS
    ]
    countries = []
    for code, country in data["countries"].items():
        fields = [
            _field(f"{code}.{name}", f"countries.{code}.{name}", name, country[name], error_field)
            for name in parameters.COUNTRY_FIELDS
        ]
        fields += [
            _field(f"{code}.x.{d}", f"countries.{code}.x.{d}", "x", share, error_field)
            for d, share in country["x"].items()
        ]
        countries.append({"code": code, "name": _country_name(code), "fields": fields})
    return {"shared": shared, "countries": countries}


def _tornado_figure(tornado: sensitivity.Tornado):
    bars = tornado.bars[::-1]  # plotly draws the first bar at the bottom
    labels = [bar.label for bar in bars]
    figure = go.Figure()
    figure.add_bar(
        y=labels,
        x=[b.output_low - tornado.base for b in bars],
        base=tornado.base,
        orientation="h",
        name=_("input at the low end"),
    )
    figure.add_bar(
        y=labels,
        x=[b.output_high - tornado.base for b in bars],
        base=tornado.base,
        orientation="h",
        name=_("input at the high end"),
    )
    figure.update_layout(
        barmode="overlay",
        height=120 + 24 * len(bars),
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis_title=str(OUTPUT_LABELS[tornado.output]),
        legend={"orientation": "h"},
    )
    return figure


def _fan_figure(fan: montecarlo.Fan, scenario: Scenario, break_even: float | None):
    figure = go.Figure()
    figure.add_scatter(
        x=fan.thresholds, y=fan.high, mode="lines", line={"width": 0}, showlegend=False
    )
    figure.add_scatter(
        x=fan.thresholds,
        y=fan.low,
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        name=_("5th to 95th percentile"),
    )
    figure.add_scatter(x=fan.thresholds, y=fan.median, mode="lines", name=_("median"))
    figure.add_vline(x=scenario.T, line_dash="dot", annotation_text="T")
    if break_even is not None:
        figure.add_vline(x=break_even, line_dash="dash", annotation_text=_("break-even"))
    figure.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        legend={"orientation": "h"},
        xaxis={"type": "log", "title": _("threshold T (USD)")},
        yaxis_title=str(OUTPUT_LABELS["net_trade_home"]),
    )
    return figure


def _analysis(request, scenario: Scenario) -> dict:
    simulation = simulate(scenario)
    tornado = sensitivity.tornado(scenario)
    fan = montecarlo.fan(scenario, FAN_THRESHOLDS)
    bands = montecarlo.bands(scenario)
    lab_url = reverse("policy:lab")
    fits = []
    for code in scenario.countries:
        found = fit.fit_country(code)
        if found is None:
            fits.append({"code": code, "fit": None})
            continue
        data = scenario.as_input()
        data["countries"][code].update(mu=round(found.mu, 4), sigma=round(found.sigma, 4))
        fits.append(
            {"code": code, "fit": found, "url": f"{lab_url}?{scenario_url.to_query(parse(data))}"}
        )
    return {
        "scenario": scenario,
        "simulation": simulation,
        "rows": [
            {
                "code": code,
                "name": _country_name(code),
                "result": row,
                "induced": sorted(row.induced_sales.items()),
            }
            for code, row in simulation.core.countries.items()
        ],
        "tornado": tornado,
        "tornado_chart": figure_html(_tornado_figure(tornado), element_id="policy-tornado"),
        "bands": [
            {"label": OUTPUT_LABELS[name], "low": b[0], "median": b[1], "high": b[2]}
            for name, b in bands.items()
        ],
        "fan": list(zip(fan.thresholds, fan.low, fan.median, fan.high, strict=True)),
        "fan_chart": figure_html(
            _fan_figure(fan, scenario, simulation.break_even.T), element_id="policy-fan"
        ),
        "fits": fits,
        "min_fit_rows": fit.MIN_ROWS,
        "share_url": request.build_absolute_uri(f"{lab_url}?{scenario_url.to_query(scenario)}"),
    }


@public
def lab(request):
    data = scenario_url.from_query(request.GET)
    context: dict = {"error": None, "data": data}
    try:
        scenario = parse(data)
    except PolicyInputError as error:
        context["error"] = error
    else:
        context.update(_analysis(request, scenario))
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        return render(request, "insights/policy/_results.html", context)
    context["form"] = _form(data, context["error"].field if context["error"] else None)
    context["country_list"] = ",".join(data["countries"])
    context["home"] = data["home"]
    context["rates"] = [
        (code, rate.usd_per_unit, rate.source) for code, rate in fit.USD_RATES.items()
    ]
    return render(
        request, "insights/policy/lab.html", context, status=400 if context["error"] else 200
    )
