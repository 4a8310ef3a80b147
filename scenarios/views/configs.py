"""Config version pages: list, import, one version, its download, and the diff of two.

A config's document never changes after import (``ConfigVersion``), so these
pages only read, except the import, which calls ``config_import`` as the API
does: a document with problems is refused with every ``path: message`` shown
at the file field, and nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from core.forms import declared_field, picked, service_errors
from core.pages import PageHead, filtered_list, found_or_404
from core.panels import panels_for
from core.tables import cell
from core.users import acting_user
from jobs.models import Job
from scenarios import selectors, services, uploads
from scenarios.forms import ConfigDiffForm, ConfigImportForm
from scenarios.labels import VALUE_LABELS
from scenarios.models import ConfigVersion
from scpln.engine.canonical import ConfigError
from scpln.engine.canonical.summary import ConfigSummary

# Entity kinds counted on a version's page, in the order the canonical document has them.
COUNT_LABELS = {
    "items": gettext_lazy("Items"),
    "nodes": gettext_lazy("Nodes"),
    "arcs": gettext_lazy("Arcs"),
    "demands": gettext_lazy("Demand rows"),
    "bom": gettext_lazy("BOM lines"),
    "capacities": gettext_lazy("Capacities"),
    "inventory_policies": gettext_lazy("Inventory policies"),
    "production_policies": gettext_lazy("Production policies"),
    "calendars": gettext_lazy("Calendars"),
    "hierarchies": gettext_lazy("Hierarchy entries"),
}
# The columns of the network tables: each field's heading and whether it is a number.
_COLUMNS = {
    "code": (gettext_lazy("Code"), False),
    "name": (gettext_lazy("Name"), False),
    **dict.fromkeys(VALUE_LABELS, (gettext_lazy("Type"), False)),
    "uom": (gettext_lazy("Unit"), False),
    "region": (gettext_lazy("Region"), False),
    "from_node": (gettext_lazy("From"), False),
    "to_node": (gettext_lazy("To"), False),
    "item": (gettext_lazy("Item"), False),
    "lead_time_days": (gettext_lazy("Lead time (days)"), True),
    "unit_cost": (gettext_lazy("Unit cost"), True),
    "capacity_per_day": (gettext_lazy("Capacity per day"), True),
    "mean_total": (gettext_lazy("Sum of mean demand"), True),
    # how many rows of a kind: headed as the kind is counted above
    "inventory_policies": (COUNT_LABELS["inventory_policies"], True),
    "production_policies": (COUNT_LABELS["production_policies"], True),
    "nodes": (COUNT_LABELS["nodes"], True),
    "rows": (COUNT_LABELS["demands"], True),
}
# The network tables of a version's page: overview attribute, title, fields.
NETWORK_TABLES = (
    (
        "items",
        COUNT_LABELS["items"],
        ("code", "name", "item_type", "uom", "lead_time_days", "unit_cost"),
    ),
    (
        "nodes",
        COUNT_LABELS["nodes"],
        (
            "code",
            "name",
            "node_type",
            "region",
            "lead_time_days",
            "inventory_policies",
            "production_policies",
        ),
    ),
    (
        "arcs",
        COUNT_LABELS["arcs"],
        ("from_node", "to_node", "arc_type", "lead_time_days", "capacity_per_day"),
    ),
    ("demand_by_item", gettext_lazy("Demand by item"), ("item", "rows", "nodes", "mean_total")),
)
PAGE_SIZE = 50
CONFIGS = (gettext_lazy("Configs"), reverse_lazy("scenarios:configs"))

# Keys listed per entity kind and change type on the diff page (counts stay exact).
DIFF_ROWS = 200


def _config_or_404(pk: int, *, with_document: bool = False) -> ConfigVersion:
    return found_or_404(
        lambda: selectors.config_get(config_id=pk, with_document=with_document),
        _("No config version %(id)s.") % {"id": pk},
    )


class ConfigListView(LoginRequiredMixin, View):
    """Config versions, newest first, with the scenarios planned or run on each."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.config_filterset(request.GET)
        # The FilterSet's help texts document the API; the page's labels say enough.
        filterset.form.fields["name"].help_text = ""
        listing = filtered_list(request, filterset, page_size=PAGE_SIZE)
        configs = list(listing.page.object_list)
        using = selectors.config_scenarios_using(config_ids=[c.pk for c in configs])
        return render(
            request,
            "configs/list.html",
            {
                **listing.context,
                "page_head": PageHead(_("Config versions"), crumb=_("Configs")),
                "rows": [(config, using.get(config.pk, [])) for config in configs],
                # The page filters by name and status only (schema_version is the API's).
                "filtered": any(request.GET.get(name) for name in ("name", "status")),
                "can_import": request.user.has_perm("scenarios.add_configversion"),
            },
            status=200 if listing.valid else 400,
        )


class ConfigImportView(PermissionRequiredMixin, View):
    """Upload a canonical JSON file; ``config_import`` validates and stores it (or nothing).

    Signed out: to the login form; signed in without the API's permission: 403.
    """

    permission_required = "scenarios.add_configversion"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ConfigImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConfigImportForm(request.POST, request.FILES)
        if form.is_valid():
            if isinstance(form.cleaned_data["file"], bytes):
                return self._enqueue(request, form)
            with service_errors(form, ConfigImportForm.SERVICE_FIELDS):
                config, created = services.config_import(
                    document=form.cleaned_data["file"], **self._upload(request, form)
                )
                self._report(request, config, created)
                return redirect(config)
        status = 413 if form.has_error("file", code="too_large") else 400
        return self._render(request, form, status=status)

    @staticmethod
    def _upload(request: HttpRequest, form: ConfigImportForm) -> dict[str, Any]:
        """What an import records besides the document, imported now or by a job."""
        return {
            **picked(form.cleaned_data, "name", "description"),
            "source_filename": form.filename,
            "user": acting_user(request),
        }

    @staticmethod
    def _enqueue(request: HttpRequest, form: ConfigImportForm) -> HttpResponse:
        """Too large to import inside this request (SCPLN_CONFIG_INLINE_BYTES): a job does it."""
        job = uploads.config_import_enqueue(
            data=form.cleaned_data["file"], **ConfigImportView._upload(request, form)
        )
        messages.info(
            request,
            _(
                "The file is large, so job #%(id)s imports it in the background; "
                "this page links to the config version when it is done."
            )
            % {"id": job.pk},
        )
        return redirect(job)

    @staticmethod
    def _report(request: HttpRequest, config: ConfigVersion, created: bool) -> None:
        if not created:
            messages.info(
                request,
                _(
                    "This network is already stored as config version #%(id)s “%(name)s”; "
                    "nothing new was imported."
                )
                % {"id": config.pk, "name": config.name},
            )
            return
        messages.success(
            request,
            _("Imported config version #%(id)s “%(name)s”.")
            % {"id": config.pk, "name": config.name},
        )
        if config.warnings:
            messages.warning(
                request,
                ngettext(
                    "It has %(count)d warning; it is listed below.",
                    "It has %(count)d warnings; they are listed below.",
                    len(config.warnings),
                )
                % {"count": len(config.warnings)},
            )

    def _render(
        self, request: HttpRequest, form: ConfigImportForm, status: int = 200
    ) -> HttpResponse:
        head = PageHead(_("Import a config"), parents=(CONFIGS,), crumb=_("Import"))
        return render(
            request, "configs/import.html", {"page_head": head, "form": form}, status=status
        )


class ConfigDetailView(LoginRequiredMixin, View):
    """One version: meta, counts, warnings, what it holds, the scenarios and plans using it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        config = _config_or_404(pk, with_document=True)
        overview, overview_error = None, ""
        try:
            overview = selectors.config_overview(config=config)
        except ConfigError as error:
            overview_error = str(error)
        diff_form = ConfigDiffForm(initial={"from": config.pk})
        to = declared_field(diff_form, "to", forms.ModelChoiceField)
        assert to.queryset is not None  # declared with one
        to.queryset = to.queryset.exclude(pk=config.pk)
        return render(
            request,
            "configs/detail.html",
            {
                "config": config,
                "overview": overview,
                "overview_error": overview_error,
                "count_labels": COUNT_LABELS.items(),
                "tables": _network_tables(overview) if overview else [],
                "scenarios": selectors.config_scenarios_using(config_ids=[config.pk])[config.pk],
                "panels": panels_for(config, request),
                "diff_form": diff_form,
            },
        )


def _network_tables(overview: ConfigSummary) -> list[dict[str, Any]]:
    """The overview's row lists as formatted tables (first rows, with the total count)."""
    tables = []
    for key, title, fields in NETWORK_TABLES:
        tables.append(
            {
                "key": key,
                "title": title,
                "columns": [_COLUMNS[field] for field in fields],
                "rows": [
                    [(_shown(field, row[field]), _COLUMNS[field][1]) for field in fields]
                    for row in getattr(overview, key)
                ],
                "total": overview.totals[key],
            }
        )
    return tables


def _shown(field: str, value: object) -> str:
    """A network table's cell: a type by its label (``warehouse`` → "Warehouse")."""
    labels = VALUE_LABELS.get(field)
    return str(labels.get(str(value), value)) if labels else cell(value)


@login_required
def config_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The canonical document as imported, as a JSON file named after the uploaded one."""
    config = _config_or_404(pk, with_document=True)
    filename = config.source_filename or f"config-{config.pk}.json"
    if not filename.lower().endswith(".json"):
        filename += ".json"
    body = json.dumps(config.document, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class ConfigDiffView(LoginRequiredMixin, View):
    """``?from=<id>&to=<id>``: what changed, entity by entity (``selectors.config_diff``)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        # ``?from=<id>`` alone (the link from a version's page) only preselects "From".
        bound = "to" in request.GET
        form = ConfigDiffForm(
            request.GET if bound else None, initial={"from": request.GET.get("from")}
        )
        diff, status = None, 200
        if bound:
            if form.is_valid():
                with service_errors(form):
                    diff, job = uploads.config_diff_or_job(
                        from_id=form.cleaned_data["from"].pk,
                        to_id=form.cleaned_data["to"].pk,
                        limit=DIFF_ROWS,
                        user=acting_user(request),
                    )
                    if diff is None and job is not None:
                        return self._wait_for(request, job)
            if diff is None:
                status = 400
        return render(
            request,
            "configs/diff.html",
            {
                "page_head": PageHead(
                    _("Compare config versions"), parents=(CONFIGS,), crumb=_("Compare")
                ),
                "form": form,
                "diff": diff,
                "entities": _entity_rows(diff) if diff else [],
                "from_config": form.cleaned_data.get("from") if diff else None,
                "to_config": form.cleaned_data.get("to") if diff else None,
                "diff_rows": DIFF_ROWS,
            },
            status=status,
        )

    @staticmethod
    def _wait_for(request: HttpRequest, job: Job) -> HttpResponse:
        """A diff of large configs is computed by a job: go to it (it links back here)."""
        messages.info(
            request,
            _(
                "These configs are large, so job #%(id)s computes their diff in the "
                "background; its page links back to the diff when it is done."
            )
            % {"id": job.pk},
        )
        return redirect(job)


def _entity_rows(diff: dict[str, Any]) -> list[dict[str, Any]]:
    """Per entity kind: counts, and the first :data:`DIFF_ROWS` keys of each change type.

    A diff kept by a job has only its first rows and the exact ``counts``.
    """
    rows = []
    for entity in diff["entities"]:
        added, removed, changed = entity["added"], entity["removed"], entity["changed"]
        rows.append(
            {
                "entity": entity["entity"],
                "counts": entity.get("counts")
                or {"added": len(added), "removed": len(removed), "changed": len(changed)},
                "empty": not (added or removed or changed),
                "added": added[:DIFF_ROWS],
                "removed": removed[:DIFF_ROWS],
                "changed": changed[:DIFF_ROWS],
            }
        )
    return rows
