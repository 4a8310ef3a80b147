"""Input and output shapes of the scenarios and configs API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.exceptions import PayloadTooLarge
from core.api.fields import BoundedJSONField, UsernameField
from core.api.links import link, links_schema
from core.converters import MAX_ID
from core.json_input import JSONInputError, parse_json
from scenarios import services
from scenarios.limits import runs_inline, upload_size_problem
from scenarios.models import ConfigVersion, Scenario

# --- Scenarios -------------------------------------------------------------------


class ScenarioOutputSerializer(serializers.ModelSerializer):
    parent_id = serializers.IntegerField(allow_null=True)
    locked_by = UsernameField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Scenario
        fields = [
            "id",
            "name",
            "description",
            "parent_id",
            "tags",
            *services.OVERRIDE_FIELDS,
            *Scenario.LOCK_FIELDS,
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(links_schema("self", "runs", paths=["ui"]))
    def get_links(self, scenario: Scenario) -> dict[str, str]:
        request = self.context.get("request")
        return {
            "self": link(request, "scenarios-api:scenario-detail", scenario.pk),
            "runs": link(request, "runs-api:list", query={"scenario_id": scenario.pk}),
            "ui": f"/ui/scenarios/{scenario.pk}",
        }


def _factor_map() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.FloatField(),
        required=False,
        help_text=_("Code → factor (above 0)."),
    )


class ScenarioInputSerializer(serializers.Serializer):
    """What a client may set on a scenario (the service checks the rules)."""

    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    parent_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=50
    )
    demand_scale = serializers.FloatField(required=False, help_text=_("Above 0; 1 = as is."))
    demand_scale_by_item = _factor_map()
    capacity_scale = serializers.FloatField(required=False, help_text=_("Above 0; 1 = as is."))
    capacity_scale_by_node = _factor_map()
    lead_time_shift_days = serializers.IntegerField(
        required=False,
        min_value=-services.MAX_LEAD_TIME_SHIFT_DAYS,
        max_value=services.MAX_LEAD_TIME_SHIFT_DAYS,
    )
    initial_inventory_scale = serializers.FloatField(required=False, help_text=_("0 or more."))
    horizon_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=services.MAX_HORIZON_DAYS
    )
    inventory_levels = serializers.DictField(
        child=serializers.DictField(
            child=serializers.DictField(child=serializers.FloatField(min_value=0))
        ),
        required=False,
        help_text=_(
            'Stock levels per node and item: {"NODE": {"ITEM": {"order_up_to": S, '
            '"reorder_point": s, "initial_inventory": x}}}; reorder_point defaults to S.'
        ),
    )

    def validate_parent_id(self, value: int | None) -> Scenario | None:
        if value is None:
            return None
        try:
            return Scenario.objects.get(pk=value)
        except Scenario.DoesNotExist:
            raise serializers.ValidationError(_("No scenario %(id)s.") % {"id": value}) from None

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "parent_id" in data:
            data["parent"] = data.pop("parent_id")
        return data


class ScenarioLockSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


# --- Config versions -------------------------------------------------------------


class ConfigOutputSerializer(serializers.ModelSerializer):
    config_version_id = serializers.IntegerField(source="pk")
    created_by = UsernameField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = ConfigVersion
        fields = [
            "config_version_id",
            "name",
            "description",
            "schema_version",
            "content_hash",
            "status",
            *ConfigVersion.IMPORT_RECORD,
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(links_schema("self", "document", "runs"))
    def get_links(self, config: ConfigVersion) -> dict[str, str]:
        request = self.context.get("request")
        return {
            "self": link(request, "scenarios-api:config-detail", config.pk),
            "document": link(request, "scenarios-api:config-document", config.pk),
            "runs": link(request, "runs-api:list", query={"config_version_id": config.pk}),
        }


class ConfigImportSerializer(serializers.Serializer):
    """A canonical-1.0 document, as JSON (``document``) or as an uploaded ``file``."""

    document = BoundedJSONField(
        required=False, help_text=_("The canonical-1.0 config (a JSON object).")
    )
    file = serializers.FileField(
        required=False, help_text=_("The canonical-1.0 JSON file (multipart upload).")
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Parse a small file now; keep a large one's bytes (``data``) for an import job.

        A file over ``SCPLN_MAX_UPLOAD_BYTES`` is a 413 naming ``file``.
        """
        if ("document" in attrs) == ("file" in attrs):
            raise serializers.ValidationError(
                {"document": [_("Give the config either as `document` or as `file`.")]}
            )
        if "file" in attrs:
            upload = attrs.pop("file")
            attrs["source_filename"] = upload.name or ""
            too_large = upload_size_problem(upload.size)
            if too_large:
                raise PayloadTooLarge({"file": [too_large]})
            if not runs_inline(upload.size):
                attrs["data"] = upload.read()
                return attrs
            try:
                attrs["document"] = parse_json(upload.read())
            except JSONInputError as exc:
                raise serializers.ValidationError({"file": [str(exc)]}) from None
        problems = services.config_document_problems(attrs["document"])
        if problems:
            raise serializers.ValidationError({"document": problems})
        return attrs


class ConfigUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    status = serializers.ChoiceField(choices=ConfigVersion.Status.choices, required=False)


class ConfigDiffQuerySerializer(serializers.Serializer):
    to = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The config version to compare with.")
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        default=200,
        help_text=_("At most this many rows listed per entity kind in `text`."),
    )
