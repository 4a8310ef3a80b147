"""Working calendars: nodes produce, ship and receive on their working days only."""

from __future__ import annotations

import copy
from datetime import date

import numpy as np
import pandas as pd
import pytest

from scpln.engine.canonical import load_config
from scpln.engine.canonical.calendars import working_calendar
from scpln.engine.planning import planning_inputs_from_config
from scpln.engine.psi import NetworkBuilder, PlanSchedule, compile_network, simulate_network
from scpln.engine.tests.test_canonical_validation import messages
from scpln.engine.tests.test_canonical_validation import network as tiny

MONDAY = date(2025, 1, 6)
WEEKDAYS = [day % 7 < 5 for day in range(28)]  # from a Monday: Mon–Fri worked


def series(result, node: str, metric: str) -> list[float]:
    psi = result.psi
    return [round(float(v), 6) for v in psi[psi["node"] == node][metric].to_numpy(np.float64)]


def store(*, lead: int, calendar_at: str) -> NetworkBuilder:
    """An unlimited supplier → store S selling 10 a day, restoring 40 every day."""
    b = NetworkBuilder(horizon_days=14, start_date=MONDAY)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("S", "store")
    b.arc("SUP", "S", lead_time=lead)
    b.stock("S", "A", initial=40.0, order_up_to=40.0)
    b.demand("S", "A", first_day=0, last_day=13, mean=10.0, model="deterministic")
    b.calendar(calendar_at, WEEKDAYS)
    return b


def test_what_arrives_on_a_day_off_is_received_on_the_next_working_day() -> None:
    r = simulate_network(store(lead=1, calendar_at="S").build())
    receipts, orders = series(r, "S", "receipts"), series(r, "S", "orders")
    # Friday's, Saturday's and Sunday's orders are due on Saturday, Sunday and Monday.
    assert receipts[5:7] == [0.0, 0.0]
    assert receipts[7] == orders[4] + orders[5] + orders[6] == 30.0


def test_a_node_ships_nothing_on_a_day_off() -> None:
    r = simulate_network(store(lead=0, calendar_at="SUP").build())
    shipped = series(r, "SUP", "sales")
    assert shipped[5:7] == [0.0, 0.0]
    assert shipped[7] == 30.0  # Saturday's and Sunday's orders wait for Monday, then ship
    assert series(r, "SUP", "backlog")[5:7] == [10.0, 20.0]


def test_a_factory_releases_on_working_days_and_a_plan_lot_starts_on_the_first() -> None:
    b = NetworkBuilder(horizon_days=14, start_date=MONDAY)
    b.node("F", "factory")
    b.produce("F", "A", lead_time=0)
    b.stock("F", "A", order_up_to=0.0)
    b.calendar("F", WEEKDAYS)
    # A week planned from Saturday (day 5): its lot is made on Monday, day 7.
    week = pd.DataFrame({"item": ["A"], "day": [5], "quantity": [70.0]})
    made = series(simulate_network(b.build(), plan=week), "F", "production")
    assert made == [0.0] * 7 + [70.0] + [0.0] * 6
    evenly = simulate_network(b.build(), plan=PlanSchedule.from_frame(week, release_rule="daily"))
    # daily: evenly over the week's working days, Monday to Friday
    assert series(evenly, "F", "production") == [0.0] * 7 + [14.0] * 5 + [0.0] * 2


def calendared() -> dict:
    """The tiny validation network with its factory on a Mon–Fri calendar, 6 Jan a
    holiday, and 2,000 units of capacity in January."""
    document = tiny()
    document["meta"]["attributes"]["start_date"] = "2025-01-01"
    document["calendars"] = [
        {
            "calendar_code": "PLANT",
            "definition": {
                "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                "exceptions": ["2025-01-06"],
            },
        }
    ]
    document["nodes"][1]["calendar_code"] = "PLANT"
    return document


def test_a_config_calendar_sets_working_days_and_spreads_capacity_over_them() -> None:
    config = load_config(calendared())
    net = compile_network(config)
    works = working_calendar(config.calendars[0].definition)
    assert works.count(date(2025, 1, 1), date(2025, 1, 31)) == 22  # 23 weekdays − 6 Jan
    factory = net.node_codes.index("FACT")
    assert net.working is not None
    worked = net.working[factory]
    assert worked[:7].tolist() == [True, True, True, False, False, False, True]
    assert not worked[5]  # 6 January
    # 2,000 over January's 22 working days (not its 31 days); node policy 100 a day.
    assert net.production.node_capacity[0, 0] == pytest.approx(min(2000 / 22, 100))
    inputs = planning_inputs_from_config(config)
    capacity = inputs.capacity.set_index("period")["capacity"]
    assert capacity["2025-01"] == pytest.approx(2000)
    # February has no capacity row: 100 a working day × its 20 working days.
    assert capacity["2025-02"] == pytest.approx(100 * 20)


def test_calendar_problems_name_their_place() -> None:
    document = calendared()
    document["calendars"][0]["definition"] = {"workdays": ["Mon", "Funday"], "exceptions": ["soon"]}
    document["nodes"][2]["calendar_code"] = "NOPE"
    assert messages(document) == [
        "nodes[2].calendar_code: unknown calendar 'NOPE'",
        "calendars[0].definition.exceptions[0]: 'soon' is not a date YYYY-MM-DD",
        "calendars[0].definition.workdays[1]: 'Funday' is not a weekday "
        "(Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
    ]
    unchanged = copy.deepcopy(calendared())
    del unchanged["nodes"][1]["calendar_code"]
    assert compile_network(load_config(unchanged)).working is None
