"""The planner's time zone: chosen on /ui/timezone, else the browser's, else the default.

Timestamps are stored in UTC and rendered in the zone this middleware
activates for the request. The zone comes from the ``scpln_tz`` cookie,
which either the planner set on the time-zone page (``scpln_tz_source=user``)
or static/scpln/app.js set from the browser's own zone
(``Intl.DateTimeFormat().resolvedOptions().timeZone``). A missing or unknown
zone falls back to ``TIME_ZONE`` (``SCPLN_TIME_ZONE``, UTC by default), so a
hand-edited cookie can never break a page.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from core.forms import declared_field
from core.pages import PageHead

COOKIE = "scpln_tz"
SOURCE_COOKIE = "scpln_tz_source"
COOKIE_MAX_AGE = 365 * 24 * 3600
BROWSER = ""  # the form's value for "follow my browser"


@cache
def available_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None for anything that is not a known IANA zone."""
    if not name or len(name) > 64 or name not in available_zones():
        return None
    return zoneinfo.ZoneInfo(name)


class TimezoneMiddleware:
    """Activate the request's time zone (cookie) for templates and forms; default otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_named(request.COOKIES.get(COOKIE))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TimezoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Timestamps are shown in this zone. Leave it to follow your browser."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared_field(self, "time_zone", forms.ChoiceField).choices = [
            (BROWSER, _("Follow my browser")),
            *((name, name) for name in available_zones()),
        ]


@login_required
def timezone_view(request: HttpRequest) -> HttpResponse:
    """Show and change the time zone timestamps are rendered in (a cookie, per browser)."""
    if request.method == "POST":
        form = TimezoneForm(request.POST)
        if form.is_valid():
            target = form.cleaned_data["next"]
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = "/"
            response = HttpResponseRedirect(target or "/")
            name = form.cleaned_data["time_zone"]
            if name == BROWSER:
                # app.js writes the browser's zone again on the next page.
                response.delete_cookie(COOKIE, samesite="Lax")
                response.delete_cookie(SOURCE_COOKIE, samesite="Lax")
            else:
                for key, value in ((COOKIE, name), (SOURCE_COOKIE, "user")):
                    response.set_cookie(key, value, max_age=COOKIE_MAX_AGE, samesite="Lax")
            return response
    else:
        chosen = request.COOKIES.get(SOURCE_COOKIE) == "user"
        form = TimezoneForm(
            initial={
                "time_zone": request.COOKIES.get(COOKIE, BROWSER) if chosen else BROWSER,
                "next": request.GET.get("next", ""),
            }
        )
    return render(
        request,
        "registration/timezone.html",
        {"page_head": PageHead(_("Time zone")), "form": form, "default_zone": settings.TIME_ZONE},
    )
