"""Capacity math: 25 backend connections per GB of the primary node's RAM, minus 3 reserved."""

from __future__ import annotations

import pytest

from bot.ops import CapacityExceeded, capacity_for_ram
from bot.ops.capacity import check_fits, largest_fit


@pytest.mark.parametrize(("ram_gb", "capacity"), [(1, 22), (2, 47), (4, 97), (8, 197), (16, 397)])
def test_capacity_per_gb(ram_gb: int, capacity: int) -> None:
    assert capacity_for_ram(ram_gb) == capacity


@pytest.mark.parametrize(("total", "others"), [(22, 10), (47, 0), (97, 10), (197, 150)])
def test_a_size_that_exactly_fills_fits_and_one_more_does_not(total: int, others: int) -> None:
    fit = total - others
    after = check_fits("c", total, others, fit)
    assert (after.total, after.used, after.left) == (total, total, 0)
    with pytest.raises(CapacityExceeded) as refused:
        check_fits("c", total, others, fit + 1)
    assert (refused.value.capacity, refused.value.used_by_others, refused.value.largest_fit) == (
        total,
        others,
        fit,
    )
    assert refused.value.field == "size"


def test_the_refusal_names_capacity_others_and_largest_fit() -> None:
    with pytest.raises(CapacityExceeded) as refused:
        check_fits("prod-pg", 97, 10, 120)
    assert str(refused.value) == (
        "size 120 exceeds the capacity left: prod-pg allows 97 backend connections, other pools use 10, "
        "so the largest size that fits is 87"
    )


def test_a_full_cluster_says_there_is_no_room() -> None:
    with pytest.raises(CapacityExceeded) as refused:
        check_fits("staging-pg", 22, 22, 1)
    assert str(refused.value) == (
        "size 1 exceeds the capacity left: staging-pg allows 22 backend connections, other pools use 22, "
        "so there is no room left for this pool"
    )
    assert largest_fit(22, 30) == 0
