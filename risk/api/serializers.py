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


class ReplicationSetCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    seed = serializers.IntegerField()
    url = serializers.URLField()
    job_url = serializers.URLField()


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


class DifferenceSerializer(serializers.Serializer):
    base_mean = serializers.FloatField()
    other_mean = serializers.FloatField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(help_text="Mean of other − base.")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    verdict = serializers.ChoiceField(
        choices=["higher", "lower", "undecided"],
        help_text="higher/lower: other is higher/lower than base at 95 % confidence.",
    )


class CompareSerializer(serializers.Serializer):
    base_id = serializers.IntegerField()
    other_id = serializers.IntegerField()
    paired = serializers.BooleanField(
        help_text="Both sets have the same seed: replication i of each drew the same demand "
        "(common random numbers), so differences are paired by replication."
    )
    kpis = serializers.DictField(child=DifferenceSerializer())
