"""Charts drawn with plotly, served without any CDN: the library's own bundled script."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe


@cache
def _plotly_script() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.js from the installed package, cached by browsers for a day."""
    response = HttpResponse(_plotly_script(), content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response


def figure_html(figure, *, element_id: str) -> SafeString:
    """A figure as a <div> and the script that draws it; the page loads plotly.js once."""
    html = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config={"displaylogo": False, "responsive": True},
    )
    return mark_safe(html)  # noqa: S308 - plotly's own markup; titles and labels come escaped
