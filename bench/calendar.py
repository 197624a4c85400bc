"""Benchmark: 5,000,000 deadline computations with the vectorised working-day calendar, side by side with a
plain Python loop over `chinese_calendar.is_workday` on a sample (extrapolated to 5,000,000).

Run: .venv/bin/python bench/calendar.py [--n 5000000] [--sample 2000]
Goal: < 1 s for 5,000,000 deadlines on a 2-core machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

# this file is named like the stdlib `calendar` module: keep bench/ off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import time  # noqa: E402

import chinese_calendar  # noqa: E402
import numpy as np  # noqa: E402

from luoshi.calendar import engine  # noqa: E402


def loop_deadline(start: dt.date, n: int) -> dt.date:
    """The naive way: step day by day asking chinese_calendar.is_workday (receipt day not counted)."""
    day = start
    while n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    cal = engine.default_calendar()
    build = time.perf_counter() - t0

    rng = np.random.default_rng(20260930)
    # receipts 2004-01-01 .. 2026-06-30, limits 1..60 working days (the package covers up to 2026)
    last_start = engine.day_number(dt.date(2026, 6, 30))
    starts = rng.integers(0, last_start + 1, size=args.n, dtype=np.int64)
    limits = rng.integers(1, 61, size=args.n, dtype=np.int64)

    cal.add_workdays_many(starts[:1000], limits[:1000])  # warm up
    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        deadlines, provisional = cal.add_workdays_many(starts, limits)
        timings.append(time.perf_counter() - t0)
    vec = min(timings)

    # a plain loop over chinese_calendar.is_workday, on a sample, extrapolated
    sample = min(args.sample, args.n)
    t0 = time.perf_counter()
    loop_results = [
        loop_deadline(engine.date_of(int(s)), int(k))
        for s, k in zip(starts[:sample], limits[:sample], strict=True)
    ]
    loop = time.perf_counter() - t0
    loop_total = loop / sample * args.n

    # agreement on the sample (except where luoshi's shipped correction 2005-12-31 applies)
    vec_dates = [engine.date_of(int(d)) for d in deadlines[:sample]]
    fix = dt.date(2005, 12, 31)
    differ = [
        (engine.date_of(int(s)), a, b)
        for s, a, b in zip(starts[:sample], vec_dates, loop_results, strict=True)
        if a != b
    ]
    explained = sum(s < fix <= b for s, _, b in differ)

    print(f"calendar tables built in {build * 1000:.0f} ms (2004-01-01..2099-12-31, {engine.N_DAYS} days)")
    print(
        f"vectorised add_workdays_many: {args.n:,} deadlines in {vec:.3f} s "
        f"({args.n / vec / 1e6:.1f} M/s; best of {args.repeat}; goal < 1 s) -> {'OK' if vec < 1 else 'SLOW'}"
    )
    print(
        f"plain loop over chinese_calendar.is_workday: {sample:,} deadlines in {loop:.3f} s "
        f"-> {args.n:,} extrapolated: {loop_total:.0f} s ({loop_total / 60:.1f} min)"
    )
    print(
        f"speed-up: {loop_total / vec:,.0f}x; provisional results: {int(provisional.sum())}; "
        f"sample disagreements with the plain loop: {len(differ)}, of which {explained} span 2005-12-31 "
        f"(the make-up Saturday the package misses)"
    )


if __name__ == "__main__":
    main()
