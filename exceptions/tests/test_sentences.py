"""The root-cause sentence as a planner reads it, whichever cause comes first."""

from __future__ import annotations

from django.utils import translation

from exceptions.sentences import root_cause_sentence
from scpln.engine.exceptions import RootCause
from scpln.engine.exceptions.summary import Cause


def test_the_first_cause_says_it_is_a_share_of_the_shortage_whatever_its_kind() -> None:
    cause = RootCause(
        fill_rate=0.75,
        shortage_total=40.0,
        causes=(
            Cause("capacity", 0.6, 24.0, ("FACT-01/SKU-06",)),
            Cause("no_supply_path", 0.4, 16.0, ("DC-2", "DC-3")),
        ),
    )
    assert root_cause_sentence(cause) == (
        "Fill rate 75.0 %: 60 % of the shortage traces to 1 product made at full capacity "
        "(FACT-01/SKU-06); 40 % to 2 locations nothing replenishes (DC-2, DC-3)."
    )
    with translation.override("ja"):
        assert root_cause_sentence(cause) == (
            "充足率 75.0 %: 欠品の 60 % は能力上限で生産された 1 製品（FACT-01/SKU-06）に起因、"
            "40 % は補充元のない 2 か所（DC-2, DC-3）に起因。"
        )


def test_a_fill_rate_with_a_shortage_never_reads_as_a_full_one() -> None:
    short = RootCause(
        fill_rate=0.99986,
        shortage_total=1.0,
        causes=(Cause("capacity", 1.0, 1.0, ("FACT-01/SKU-06",)),),
    )
    assert root_cause_sentence(short).startswith("Fill rate just under 100.0 %: 100 % of ")
    full = RootCause(fill_rate=1.0, shortage_total=0.0, causes=())
    assert root_cause_sentence(full) == "Fill rate 100.0 %: no customer demand was left short."
