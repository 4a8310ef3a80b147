"""Input and output shapes of the replication-set API."""

from __future__ import annotations

from rest_framework import serializers


class ReplicationSetInputSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="How many replications (1 … SCPLN_REPLICATIONS_MAX).")
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Seed of the set (0 … 2⁶³ − 1); left out: a random one, returned.",
    )


class QueuedSerializer(serializers.Serializer):
    """What a job will make: its id and seed, its job, and where to follow both."""

    id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    seed = serializers.IntegerField()
    url = serializers.URLField()
    job_url = serializers.URLField()


class ReplicationSetCreatedSerializer(QueuedSerializer):
    pass


class QuantilesSerializer(serializers.Serializer):
    p05 = serializers.FloatField()
    p50 = serializers.FloatField()
    p95 = serializers.FloatField()


class KpiSummarySerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean = serializers.FloatField()
    sd = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    quantiles = QuantilesSerializer()


class HistogramSerializer(serializers.Serializer):
    edges = serializers.ListField(child=serializers.FloatField())
    counts = serializers.ListField(child=serializers.IntegerField())


class MissSerializer(serializers.Serializer):
    node = serializers.CharField()
    item = serializers.CharField()
    target = serializers.FloatField()
    probability = serializers.FloatField()


class BandSerializer(serializers.Serializer):
    p05 = serializers.ListField(child=serializers.FloatField())
    p50 = serializers.ListField(child=serializers.FloatField())
    p95 = serializers.ListField(child=serializers.FloatField())


class ReplicationSetListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan_version_id = serializers.CharField()
    run_id = serializers.UUIDField(allow_null=True)
    n = serializers.IntegerField()
    n_done = serializers.IntegerField()
    seed = serializers.IntegerField()
    status = serializers.CharField()
    job_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class ReplicationSetSerializer(ReplicationSetListSerializer):
    kpis = serializers.DictField(
        child=KpiSummarySerializer(),
        help_text="fill_rate, cycle_service_level, avg_on_hand, profit_total over the "
        "replications done so far (docs/engine.md, Replications).",
    )
    histograms = serializers.DictField(child=HistogramSerializer())
    misses = MissSerializer(
        many=True,
        help_text="Per store × item: the share of replications below its target service level.",
    )
    bands = serializers.DictField(
        child=BandSerializer(),
        help_text="Weekly p05/p50/p95 of network sales, shortage and on-hand (complete sets).",
    )


class CompareInputSerializer(serializers.Serializer):
    base = serializers.IntegerField(help_text="Id of the replication set compared against.")
    other = serializers.IntegerField(help_text="Id of the replication set compared.")


class OptimisationInputSerializer(serializers.Serializer):
    plan_version_id = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=100,
        help_text="Plan version (planned on this scenario) whose run is optimised; "
        "left out: the scenario's newest.",
    )
    n = serializers.IntegerField(
        required=False, default=30, help_text="Replications a round (2 … SCPLN_REPLICATIONS_MAX)."
    )
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Seed (0 … 2⁶³ − 1); left out: a random one, returned.",
    )
    rounds = serializers.IntegerField(
        required=False, default=6, help_text="Refinement rounds at most (0 … 20)."
    )
    service_level = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="Target for every store instead of its own service_level (0 < x < 1).",
    )


class OptimisationCreatedSerializer(QueuedSerializer):
    plan_version_id = serializers.CharField()


class LevelKpiSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True)
    sd = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)


class LevelRowSerializer(serializers.Serializer):
    node = serializers.CharField()
    item = serializers.CharField()
    kind = serializers.CharField(help_text="store or warehouse")
    target = serializers.FloatField(allow_null=True)
    first_guess = serializers.FloatField(allow_null=True)
    level = serializers.FloatField(
        allow_null=True, help_text="Reorder point s (a base stock's order-up-to level)."
    )
    order_up_to = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Order-up-to level S: s plus the order gap under an (s, S) policy, else s.",
    )
    service_before = serializers.FloatField(allow_null=True)
    service_after = serializers.FloatField(allow_null=True)


class OptimisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scenario_id = serializers.IntegerField()
    plan_version_id = serializers.CharField()
    n = serializers.IntegerField()
    seed = serializers.IntegerField()
    rounds = serializers.IntegerField()
    service_level = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    job_id = serializers.IntegerField(allow_null=True)
    result_scenario_id = serializers.IntegerField(
        allow_null=True, help_text="The new scenario with the levels as overrides, once done."
    )
    reached = serializers.BooleanField(allow_null=True)
    refinement_rounds = serializers.IntegerField(allow_null=True)
    kpis_before = serializers.DictField(child=LevelKpiSerializer())
    kpis_after = serializers.DictField(child=LevelKpiSerializer())
    levels = LevelRowSerializer(many=True)
    created_at = serializers.DateTimeField()
