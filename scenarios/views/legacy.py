"""The retired scenario-run path: ``/ui/scenarios/<sid>/run`` answers 403, always.

Runs are made through plans (docs: DESIGN, operations guideline 3): a plan
version ties each run to its ``plan_version_id``, which a run started from a
scenario alone never had. The old path stays only to tell whoever follows an
old bookmark where to go: a 403 page whose banner links to Plan & Run with the
scenario prefilled. No setting turns it back on.

Every method answers the same (GET, POST, PUT, ...), so nothing can start a
run here. Anonymous visitors get the same 403 page rather than a redirect to
the login form: the answer does not depend on who asks, the page reveals
nothing but the id already in the URL, and the link leads through the login
to the plan form. CSRF is not checked: nothing is written, and a POST from an
old form must meet this banner, not a CSRF failure page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from core.converters import MAX_ID
from core.pages import PageHead

HEAD = PageHead(
    _("Scenario runs were retired"),
    parents=((_("Scenarios"), reverse_lazy("scenarios:list")),),
    crumb=_("Run (retired)"),
    heading=False,
)


@csrf_exempt
def legacy_scenario_run(request: HttpRequest, sid: str) -> HttpResponse:
    """The banner page, status 403, whatever the method, the id or the visitor."""
    plan_url = reverse("plans:list")
    # (Length first: int() refuses thousands of digits with an error of its own.)
    if sid.isascii() and sid.isdecimal() and len(sid) <= 19 and 0 < int(sid) <= MAX_ID:
        # Only an id the plan form can take is prefilled; anything else would be dropped there.
        plan_url += "?" + urlencode({"base_scenario": int(sid)})
    return render(
        request,
        "scenarios/legacy_run.html",
        {"page_head": HEAD, "scenario_id": sid, "plan_url": plan_url},
        status=403,
    )
