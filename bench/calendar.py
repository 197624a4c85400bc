"""Benchmark: 5,000,000 "add N working days" with the calendar engine, beside numpy on the same inputs.

In one process, on the same 5,000,000 (receipt day, limit) pairs — receipts 2004-01-01..2026-06-30, limits
1..60 working days — it times, interleaved (the order rotates every round), for --repeat rounds:

- engine    `WorkdayCalendar.add_workdays_many(starts, limits)`: the whole public call (input checks, range
            checks, the provisional mask);
- floor     the bare table gather: the same answer from the same two tables with nothing else
            (`days[after[starts] + limits]`, written as fast as numpy allows: the second gather in place;
            no check, no provisional mask) — so engine / floor is what the engine's checks cost;
- gather1   one gather `table[starts]` (one lookup per item: not the answer; the memory/indexing cost of
            touching each item once, printed for context);
- numpy exact   `numpy.busday_offset(..., roll="backward")` with weekmask 1111111 and every non-working day
            (weekends, holidays) as a holiday: the exact answer, computed independently;
- numpy Mon–Fri `numpy.busday_offset(..., roll="backward")` with weekmask 1111100 and the same holidays: the
            form people use. It cannot express 调休 make-up working days (a worked Saturday/Sunday), so every
            deadline whose span contains one comes out later.

Every output of the engine, the floor and numpy Mon–Fri is compared with numpy exact. It prints medians with
min/max, the ratios and a verdict per goal; the last line is one JSON object with all of it.

Goals: engine ≤ 2× the floor; ≥ 10× faster than numpy Mon–Fri + holidays; ≥ 20× faster than numpy exact;
every output identical to the exact form.

Run: .venv/bin/python bench/calendar.py [--n 5000000] [--repeat 7]   (no database)
"""

from __future__ import annotations

import sys
from pathlib import Path

# this file is named like the stdlib `calendar` module: keep bench/ off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from luoshi.calendar import engine  # noqa: E402

FLOOR_RATIO_GOAL = 2.0
MONFRI_GOAL = 10.0
EXACT_GOAL = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5_000_000, help="deadlines per call (default 5,000,000)")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds, at least 5 (default 7)")
    args = parser.parse_args()
    if args.repeat < 5:
        parser.error("--repeat must be at least 5 (medians of at least 5 interleaved rounds)")

    t0 = time.perf_counter()
    cal = engine.default_calendar()
    build = time.perf_counter() - t0

    rng = np.random.default_rng(20260930)
    last_start = engine.day_number(dt.date(2026, 6, 30))
    starts = rng.integers(0, last_start + 1, size=args.n, dtype=np.int64)
    limits = rng.integers(1, 61, size=args.n, dtype=np.int64)

    # inputs and tables for the references, prepared outside the timings
    start_dates = engine.from_day_numbers(starts)
    non_working = engine.from_day_numbers(np.flatnonzero(~cal.work))
    exact_cal = np.busdaycalendar(weekmask="1111111", holidays=non_working)
    monfri_cal = np.busdaycalendar(weekmask="1111100", holidays=non_working)
    after = cal.cum[1:].astype(np.int64) - 1  # working days in [0, i], minus one
    days = cal.workday_days.astype(np.int64)  # day number of the working day of each rank
    table = np.arange(engine.N_DAYS, dtype=np.int64)

    def run_engine() -> Any:
        return cal.add_workdays_many(starts, limits)

    def run_floor() -> Any:
        rank = np.take(after, starts)
        rank += limits
        return np.take(days, rank, out=rank, mode="clip")  # in place, as the engine does

    def run_gather1() -> Any:
        return table[starts]

    def run_exact() -> Any:
        return np.busday_offset(start_dates, limits, roll="backward", busdaycal=exact_cal)

    def run_monfri() -> Any:
        return np.busday_offset(start_dates, limits, roll="backward", busdaycal=monfri_cal)

    methods: dict[str, Callable[[], Any]] = {
        "engine": run_engine,
        "floor": run_floor,
        "gather1": run_gather1,
        "numpy_exact": run_exact,
        "numpy_monfri": run_monfri,
    }
    for fn in methods.values():  # warm up (page in the tables, numpy's first-call setup)
        fn()
    times: dict[str, list[float]] = {name: [] for name in methods}
    results: dict[str, Any] = {}
    names = list(methods)
    for round_ in range(args.repeat):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            t = time.perf_counter()
            results[name] = methods[name]()
            times[name].append(time.perf_counter() - t)
            if round_ < args.repeat - 1:
                results.pop(name)  # keep one copy of each output in memory

    # every output against the exact form
    exact = (results["numpy_exact"] - engine.EPOCH64).astype(np.int64)
    engine_out, engine_provisional = results["engine"]
    engine_differ = int(np.count_nonzero(engine_out != exact))
    floor_differ = int(np.count_nonzero(results["floor"] != exact))
    monfri = (results["numpy_monfri"] - engine.EPOCH64).astype(np.int64)
    monfri_wrong = monfri != exact
    monfri_differ = int(np.count_nonzero(monfri_wrong))
    # why: a worked Saturday/Sunday (调休上班) in (start, deadline] is a working day Mon–Fri cannot express
    weekday = (np.arange(engine.N_DAYS) + engine.FIRST_DATE.weekday()) % 7
    makeup = cal.work & (weekday >= 5)
    makeup_cum = np.concatenate([[0], np.cumsum(makeup)])
    spans_makeup = makeup_cum[exact + 1] > makeup_cum[starts + 1]
    monfri_explained = int(np.count_nonzero(monfri_wrong & spans_makeup))
    monfri_later = int(np.count_nonzero(monfri_wrong & (monfri > exact)))
    makeup_days = int(np.count_nonzero(makeup[: engine.day_number(dt.date(2026, 12, 31)) + 1]))

    stats = {
        name: {
            "median_s": statistics.median(values),
            "min_s": min(values),
            "max_s": max(values),
        }
        for name, values in times.items()
    }
    med = {name: s["median_s"] for name, s in stats.items()}
    ratios = {
        "engine_over_floor": med["engine"] / med["floor"],
        "engine_over_gather1": med["engine"] / med["gather1"],
        "numpy_monfri_over_engine": med["numpy_monfri"] / med["engine"],
        "numpy_exact_over_engine": med["numpy_exact"] / med["engine"],
    }
    verdict = {
        f"engine <= {FLOOR_RATIO_GOAL:g}x floor": ratios["engine_over_floor"] <= FLOOR_RATIO_GOAL,
        f"engine >= {MONFRI_GOAL:g}x faster than numpy Mon-Fri+holidays": ratios["numpy_monfri_over_engine"]
        >= MONFRI_GOAL,
        f"engine >= {EXACT_GOAL:g}x faster than numpy exact": ratios["numpy_exact_over_engine"] >= EXACT_GOAL,
        "every engine output identical to numpy exact": engine_differ == 0,
    }

    print(f"calendar tables built in {build * 1000:.0f} ms (2004-01-01..2099-12-31, {engine.N_DAYS:,} days)")
    print(
        f"{args.n:,} deadlines (receipts 2004-01-01..2026-06-30, limits 1..60 working days); "
        f"{args.repeat} interleaved rounds; seconds per call; {os.cpu_count()} CPUs (shared: absolute times vary, "
        f"the ratios of one run are what counts)"
    )
    labels = {
        "engine": "engine add_workdays_many",
        "floor": "floor: bare two-table gather",
        "gather1": "one gather table[starts]",
        "numpy_exact": "numpy busday_offset exact 7-day",
        "numpy_monfri": "numpy busday_offset Mon-Fri+hol",
    }
    print(f"{'':34} {'median':>8} {'min':>8} {'max':>8}")
    for name, s in stats.items():
        print(f"{labels[name]:34} {s['median_s']:8.4f} {s['min_s']:8.4f} {s['max_s']:8.4f}")
    print(
        f"ratios of medians: engine/floor {ratios['engine_over_floor']:.2f}x (goal <= {FLOOR_RATIO_GOAL:g}x); "
        f"engine/one-gather {ratios['engine_over_gather1']:.2f}x (context); "
        f"numpy Mon-Fri/engine {ratios['numpy_monfri_over_engine']:.1f}x (goal >= {MONFRI_GOAL:g}x); "
        f"numpy exact/engine {ratios['numpy_exact_over_engine']:.1f}x (goal >= {EXACT_GOAL:g}x)"
    )
    print(
        f"outputs vs numpy exact ({args.n:,} each): engine {engine_differ} differ; floor {floor_differ} differ; "
        f"numpy Mon-Fri+holidays {monfri_differ:,} differ ({monfri_differ / args.n:.1%}), all later: "
        f"{monfri_later:,}; of them {monfri_explained:,} have a 调休 make-up working day (worked Sat/Sun; "
        f"{makeup_days} of them 2004-2026) in (receipt, deadline] — the weekmask cannot make a weekend day "
        f"a working day, so Mon-Fri counts it as off and the deadline slips"
    )
    print(f"provisional results: {int(engine_provisional.sum())} (inputs end 2026-06-30, before 2027)")
    for goal, ok in verdict.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")
    print(
        json.dumps(
            {
                "bench": "calendar",
                "n": args.n,
                "repeats": args.repeat,
                "cpus": os.cpu_count(),
                "build_ms": round(build * 1000, 1),
                "figures": {"engine": stats["engine"]},
                "references": {k: v for k, v in stats.items() if k != "engine"},
                "ratios": {k: round(v, 3) for k, v in ratios.items()},
                "checks": {
                    "engine_differ_from_exact": engine_differ,
                    "floor_differ_from_exact": floor_differ,
                    "numpy_monfri_differ_from_exact": monfri_differ,
                    "numpy_monfri_differ_later": monfri_later,
                    "numpy_monfri_differ_spanning_makeup_day": monfri_explained,
                    "makeup_days_2004_2026": makeup_days,
                    "provisional_results": int(engine_provisional.sum()),
                },
                "verdict": verdict,
            },
            ensure_ascii=False,
        )
    )
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
