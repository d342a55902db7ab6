"""The sampling plan of racelab bench, on hand-written lists of unsafe strategies."""

from __future__ import annotations

from racelab.benchmark.plan import CROSS_SIZE, CROSS_WINDOW_MS, MODES, SIZES, WINDOWS_MS, Point, cross, make_plan

UNSAFE = {"counter": ["counter/a", "counter/b"], "shop": ["shop/x"], "empty": []}


def test_cross_is_every_window_at_one_size_and_every_size_at_one_window_without_repeats() -> None:
    points = cross("s/k", (0, 5), (2, 5, 20), ("threads",))
    assert points == sorted(
        {
            Point("s/k", "threads", CROSS_SIZE, 0),
            Point("s/k", "threads", CROSS_SIZE, 5),
            Point("s/k", "threads", 2, CROSS_WINDOW_MS),
            Point("s/k", "threads", 20, CROSS_WINDOW_MS),
        }
    )


def test_full_plan_grids_the_counter_crosses_the_other_representatives_and_samples_the_rest() -> None:
    plan = make_plan(UNSAFE, quick=False)
    by = {key: [p for p in plan.points if p.strategy == key] for key in ("counter/a", "counter/b", "shop/x")}
    assert len(by["counter/a"]) == len(WINDOWS_MS) * len(SIZES) * len(MODES)
    assert len(by["shop/x"]) == (len(WINDOWS_MS) + len(SIZES) - 1) * len(MODES)
    assert by["counter/b"] == [Point("counter/b", m, CROSS_SIZE, CROSS_WINDOW_MS) for m in MODES]
    assert len(plan.points) == sum(map(len, by.values()))
    assert plan.concurrency == (8, 32, 128) and not plan.quick and plan.notes


def test_quick_keeps_only_the_representatives_and_fewer_points() -> None:
    quick, full = make_plan(UNSAFE, quick=True), make_plan(UNSAFE, quick=False)
    assert {p.strategy for p in quick.points} == {"counter/a", "shop/x"}
    assert len(quick.points) < len(full.points) and quick.bursts < full.bursts
    assert quick.quick and len(quick.concurrency) < len(full.concurrency)


def test_modes_can_be_narrowed_when_there_is_no_http2_listener() -> None:
    plan = make_plan(UNSAFE, quick=True, modes=("threads",))
    assert {p.mode for p in plan.points} == {"threads"}
