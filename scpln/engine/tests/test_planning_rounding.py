import numpy as np
import pytest

from scpln.engine.planning.rounding import round_keeping_totals


def test_largest_remainder_gives_the_missing_unit_to_the_largest_remainder():
    values = np.array([1.2, 1.3, 2.5])
    rounded = round_keeping_totals(values, np.zeros(3, dtype=int), 0)
    # Each alone would round to 1 + 1 + 2 (or 3) = 4 or 5; the group keeps round(5.0) = 5.
    assert rounded.tolist() == [1.0, 1.0, 3.0]


def test_thirds_keep_their_total_and_ties_favour_the_earlier_member():
    rounded = round_keeping_totals(np.full(3, 10 / 3), np.zeros(3, dtype=int), 0)
    assert rounded.tolist() == [4.0, 3.0, 3.0]


def test_each_group_keeps_its_own_total():
    values = np.array([[0.5, 0.5, 0.5, 0.5], [2.25, 2.25, 2.25, 2.25]])
    groups = np.array([[0, 0, 1, 1], [2, 2, 2, 2]])
    rounded = round_keeping_totals(values, groups, 0)
    assert rounded.shape == values.shape
    assert rounded[0, :2].sum() == 1.0
    assert rounded[0, 2:].sum() == 1.0
    assert rounded[1].sum() == 9.0


@pytest.mark.parametrize(("decimals", "expected"), [(1, [0.4, 0.3, 0.3]), (2, [0.34, 0.33, 0.33])])
def test_decimal_rounding_keeps_the_total_on_its_grid(decimals, expected):
    rounded = round_keeping_totals(np.full(3, 1 / 3), np.zeros(3, dtype=int), decimals)
    assert rounded.tolist() == pytest.approx(expected)
    assert rounded.sum() == pytest.approx(1.0)


def test_no_rounding_returns_the_values():
    values = np.array([0.123, 4.567])
    assert round_keeping_totals(values, np.zeros(2, dtype=int), None) is values


def test_whole_numbers_with_float_noise_are_not_disturbed():
    values = np.array([3.0 - 1e-12, 2.0 + 1e-12, 5.0])
    assert round_keeping_totals(values, np.zeros(3, dtype=int), 0).tolist() == [3.0, 2.0, 5.0]
