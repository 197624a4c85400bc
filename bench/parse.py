"""Plan-parser benchmark: in-process speed on 1 MB of distinct plan text, the whole `luoshi plan parse` process
on a 6 KB plan, and (with --cv) the unit-suggestion model's cross-validated accuracy.

Run:  .venv/bin/python bench/parse.py            (5 repeats of each timing; --repeat N for more)
      .venv/bin/python bench/parse.py --reference COMMIT   (time another commit's parser beside today's, e.g. a
                                                 branch's start: a same-minute A/B)
      .venv/bin/python bench/parse.py --record   (after a deliberate change of readings: re-record the outputs)

What is timed, and against what:
- corpus: every real plan text shipped in the repository — seeds 000–002, the two generalisation sets and the
  blind batches (`luoshi/plans/tests/data/*/docs`, .txt/.html/.docx/.pdf read once by the readers, outside the
  timings). About 130 KB.
- 1 MB of distinct plan text: the corpus, then copies of it made distinct — copy k rotates the sentences of every
  paragraph (or the clauses of a one-sentence paragraph) by k and shifts every figure that is not part of a date by k — until 1,000,000 bytes. No line of the
  result repeats another (checked and printed), so no cache sees the same line twice. `parse_text` in-process,
  suggestions off (they are asked for separately), median of N runs with min and max. Goal ≤ 0.3 s per MB.
  Reference: the parser at commit 9e7291b (before the rules-as-data restructure), extracted with `git archive`
  and timed on the same text interleaved with today's, so both see the same machine load (a shared 2-core
  machine varies 3× between minutes); the issue measured it at 1.02 s per MB.
- outputs unchanged: sha256 of every measure read from the 1 MB text (the scorer's fields, in order) against
  `bench/parse_outputs.sha256`, recorded by `--record` at the last deliberate change of readings; a speed-up
  must leave it equal.
- whole process: the installed `luoshi plan parse FILE` command (.venv/bin/luoshi: interpreter start, imports,
  read, parse, print), median of N runs, on the shipped plan whose size is nearest 6 KB. Goal ≤ 0.4 s; reference 1.73 s (it imported scikit-learn and
  fitted the suggestion model on every run). One more run with PYTHONPROFILEIMPORTTIME lists the modules imported: scikit-learn
  (and numpy) must not be. The command runs in a user's environment (PYTHONDONTWRITEBYTECODE removed, see
  `cli_env`) after one untimed run, so it reads its modules' bytecode as an installed command does.

The last line printed is one JSON object: {"bench": "parse", "figures": …, "references": …, "verdict": …}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from luoshi.plans.parser import parse_text  # noqa: E402
from luoshi.plans.parser.readers import read_document  # noqa: E402

PLANS = ROOT / "luoshi" / "plans"
OUTPUTS = Path(__file__).resolve().parent / "parse_outputs.sha256"
GOAL_MB_S, REF_MB_S = 0.3, 1.02
REFERENCE_COMMIT = "9e7291b"  # the parser before the rules-as-data restructure
GOAL_CLI_S, REF_CLI_S = 0.4, 1.73
MB = 1_000_000


def corpus() -> list[tuple[str, str]]:
    docs = [
        (p.name, p.read_text(encoding="utf-8")) for p in sorted((PLANS / "demo_data").glob("00[012]_*.txt"))
    ]
    for folder in sorted((PLANS / "tests" / "data").glob("*/docs")):
        seen: set[str] = set()
        for p in sorted(folder.iterdir()):
            stem = p.name.split(".")[0]
            if stem in seen:  # one format per plan: the same text in five formats is not distinct
                continue
            seen.add(stem)
            docs.append((f"{folder.parent.name}/{p.name}", read_document(p).text))
    return docs


_SENT = re.compile(r"[^。;]*[。;]|[^。;]+$")
_CLAUSE = re.compile(r"[^,。;]*[,。;]|[^,。;]+$")
# Words common in plans and their synonyms: copy k swaps a subset of the pairs drawn with seed k.
SYNONYMS = [
    ("推进", "推动"),
    ("加强", "强化"),
    ("完善", "健全"),
    ("优化", "改进"),
    ("建立", "构建"),
    ("实施", "开展"),
    ("提升", "提高"),
    ("企业", "经营主体"),
    ("全面", "全力"),
    ("深化", "深入推进"),
    ("落实", "贯彻"),
    ("服务", "服务保障"),
    ("机制", "制度"),
    ("推行", "推广"),
    ("营商环境", "营商生态"),
    ("一批", "若干"),
    ("持续", "不断"),
    ("政务", "政府"),
    ("创新", "革新"),
    ("支持", "扶持"),
    ("发展", "壮大"),
    ("管理", "治理"),
]
_FIGURE = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.]|\s*[年月日号])")


def variant(text: str, k: int) -> str:
    """Copy k of a plan: each paragraph's sentences (or a one-sentence paragraph's clauses) rotated by an amount
    drawn with seed k, figures not in dates shifted by k, and a subset of the synonym pairs drawn with seed k
    swapped."""
    rng = random.Random(k)
    for a, b in rng.sample(SYNONYMS, len(SYNONYMS) // 2):
        text = text.replace(a, "\x01").replace(b, a).replace("\x01", b)
    out = []
    for line in text.split("\n"):
        sents = _SENT.findall(line)
        if len(sents) == 1 and len(line) > 40:  # one long sentence: rotate its clauses
            sents = _CLAUSE.findall(line)
        if len(sents) > 1:
            r = rng.randrange(len(sents))
            line = "".join(sents[r:] + sents[:r])
        out.append(_FIGURE.sub(lambda m: str(int(m.group(1)) + k), line))
    return "\n".join(out)


def distinct_megabyte(docs: list[tuple[str, str]]) -> str:
    parts, size, k = [], 0, 0
    while size < MB:
        for _, text in docs:
            chunk = text if k == 0 else variant(text, k)
            parts.append(chunk)
            size += len(chunk.encode("utf-8")) + 1
            if size >= MB:
                break
        k += 1
    return "\n".join(parts)


def digest(result: object) -> str:
    h = hashlib.sha256()
    for m in result.measures:  # type: ignore[attr-defined]
        h.update(json.dumps(m.to_score_dict(), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def cli_env() -> dict[str, str]:
    """The environment of a user's shell: without PYTHONDONTWRITEBYTECODE, which a development or CI shell may
    set. With it, Python writes no bytecode, so every run compiles every source file it imports again (about a
    third of the process's CPU time here); an installed command has its bytecode (pip compiles it at install
    time, or the first run writes it). `main` runs the command once untimed first, so the timed runs read it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cli_once(path: Path, *, imports: bool = False) -> tuple[float, str]:
    """Run the installed `luoshi` command on `path` in a fresh process; with `imports`, the interpreter lists
    every module it imports (PYTHONPROFILEIMPORTTIME) on stderr."""
    exe = Path(sys.executable).with_name("luoshi")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "luoshi.cli"]
    env = cli_env()
    if imports:
        env["PYTHONPROFILEIMPORTTIME"] = "1"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*cmd, "plan", "parse", str(path)], capture_output=True, text=True, cwd=ROOT, check=True, env=env
    )
    return time.perf_counter() - t0, proc.stderr


def reference_parser(commit: str):  # type: ignore[no-untyped-def]
    """`parse_text` of the parser at `commit`, extracted with git into a temporary package (None without git)."""
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-parser-ref-"))
    try:
        tar = subprocess.run(
            ["git", "archive", commit, "luoshi/plans/parser"], capture_output=True, cwd=ROOT, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=tar, check=True)
    pkg = tmp / "luoshi_parser_ref"
    (tmp / "luoshi" / "plans" / "parser").rename(pkg)
    sys.path.insert(0, str(tmp))
    import importlib

    return importlib.import_module("luoshi_parser_ref").parse_text


def interleaved(fns: list, repeat: int) -> tuple[list[list[float]], list[list[float]]]:  # type: ignore[type-arg]
    """Run each of `fns` once per round, `repeat` rounds: the same load falls on each. Wall and CPU seconds
    (time.process_time: on a loaded machine wall time also counts the waits for a core)."""
    wall: list[list[float]] = [[] for _ in fns]
    cpu: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[i].append(time.perf_counter() - t0)
            cpu[i].append(time.process_time() - c0)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--record", action="store_true", help="re-record bench/parse_outputs.sha256")
    ap.add_argument("--cv", action="store_true", help="also cross-validate the suggestion model")
    ap.add_argument(
        "--reference",
        default=REFERENCE_COMMIT,
        help=f"the commit whose parser is timed beside today's (default {REFERENCE_COMMIT}; a branch's start for an A/B)",
    )
    args = ap.parse_args()
    repeat = max(5, args.repeat)

    docs = corpus()
    corpus_bytes = sum(len(t.encode("utf-8")) for _, t in docs)
    big = distinct_megabyte(docs)
    lines = [ln for ln in big.split("\n") if ln.strip()]
    seen: set[str] = set()
    repeated_bytes = long_repeated_bytes = 0
    for ln in lines:
        if ln in seen:
            repeated_bytes += len(ln.encode("utf-8"))
            long_repeated_bytes += len(ln.encode("utf-8")) if len(ln) >= 40 else 0
        seen.add(ln)
    repeated = len(lines) - len(seen)
    total_bytes = sum(len(ln.encode("utf-8")) for ln in lines)
    repeated_share, long_repeated_share = repeated_bytes / total_bytes, long_repeated_bytes / total_bytes
    mb = len(big.encode("utf-8")) / MB
    print(
        f"corpus: {len(docs)} real plans, {corpus_bytes / 1000:.0f} KB; distinct text {mb:.2f} MB, "
        f"{len(lines)} lines of which {repeated} repeat an earlier line ({repeated_share:.1%} of the bytes; "
        f"lines of 40+ characters: {long_repeated_share:.1%})"
    )

    result = parse_text(big, year=2025, suggest=False)  # warm-up (lazy regexes, caches of unit names)
    ref_parse = reference_parser(args.reference)
    fns = [lambda: parse_text(big, year=2025, suggest=False)]
    if ref_parse is not None:
        ref_result = ref_parse(big, year=2025, suggest=False)
        fns.append(lambda: ref_parse(big, year=2025, suggest=False))
    runs, cpu_runs = interleaved(fns, repeat)
    times = runs[0]
    cpu_med = statistics.median(cpu_runs[0]) / mb
    ref_cpu_med = statistics.median(cpu_runs[1]) / mb if ref_parse is not None else None
    med = statistics.median(times) / mb
    ref_med = statistics.median(runs[1]) / mb if ref_parse is not None else None
    out_digest = digest(result)
    if args.record:
        OUTPUTS.write_text(out_digest + "\n", encoding="utf-8")
    recorded = OUTPUTS.read_text(encoding="utf-8").strip() if OUTPUTS.exists() else ""
    print(
        f"1 MB distinct plan text: {len(result.measures)} measures; median {med:.3f} s/MB "
        f"(min {min(times) / mb:.3f}, max {max(times) / mb:.3f}, {repeat} runs; CPU median {cpu_med:.3f}); "
        f"goal <= {GOAL_MB_S} s"
    )
    if ref_med is not None:
        same = digest(ref_result) == digest(result)
        print(
            f"  the parser at {args.reference}, interleaved in the same run: median {ref_med:.3f} s/MB "
            f"(min {min(runs[1]) / mb:.3f}, max {max(runs[1]) / mb:.3f}; CPU median {ref_cpu_med:.3f}) "
            f"-> {ref_med / med:.2f}x wall, {(ref_cpu_med or 0) / cpu_med:.2f}x CPU; "
            f"its measures {'equal' if same else 'differ from'} today's"
            f" ({len(ref_result.measures)} measures); issue figure {REF_MB_S} s/MB"
        )
    print(
        f"outputs: sha256 {out_digest[:16]}… {'= recorded' if out_digest == recorded else '!= recorded ' + recorded[:16]}"
    )

    small = min(
        (p for p in (PLANS / "tests" / "data").glob("*/docs/*") if p.suffix in (".txt", ".html")),
        key=lambda p: abs(p.stat().st_size - 6000),
    )
    cli, cli_cpu = [], []
    cli_once(small)  # untimed: writes the bytecode of every module the command imports (see `cli_env`)
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli.append(cli_once(small)[0])
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    imported = {
        ln.rsplit("|", 1)[-1].strip() for ln in cli_once(small, imports=True)[1].splitlines() if "|" in ln
    }
    mods = {"sklearn": "sklearn" in imported, "numpy": "numpy" in imported}
    cli_med = statistics.median(cli)
    print(
        f"`luoshi plan parse {small.relative_to(ROOT)}` ({small.stat().st_size / 1000:.1f} KB), whole process: "
        f"median {cli_med:.3f} s (min {min(cli):.3f}, max {max(cli):.3f}; CPU median "
        f"{statistics.median(cli_cpu):.3f}); goal <= {GOAL_CLI_S} s, "
        f"reference {REF_CLI_S} s; imported scikit-learn: {mods['sklearn']}, numpy: {mods['numpy']}"
    )

    figures: dict[str, object] = {
        "corpus_plans": len(docs),
        "corpus_kb": round(corpus_bytes / 1000, 1),
        "distinct_mb": round(mb, 3),
        "repeated_lines": repeated,
        "repeated_bytes_share": round(repeated_share, 4),
        "repeated_bytes_share_lines_40_plus": round(long_repeated_share, 4),
        "measures": len(result.measures),
        "parse_s_per_mb_median": round(med, 4),
        "parse_s_per_mb_min": round(min(times) / mb, 4),
        "parse_s_per_mb_max": round(max(times) / mb, 4),
        "parse_cpu_s_per_mb_median": round(cpu_med, 4),
        "reference_cpu_s_per_mb_median": None if ref_cpu_med is None else round(ref_cpu_med, 4),
        "reference_commit": args.reference,
        "reference_s_per_mb_median": None if ref_med is None else round(ref_med, 4),
        "speedup_vs_reference": None if ref_med is None else round(ref_med / med, 3),
        "outputs_sha256": out_digest,
        "cli_file": str(small.relative_to(ROOT)),
        "cli_s_median": round(cli_med, 4),
        "cli_s_min": round(min(cli), 4),
        "cli_s_max": round(max(cli), 4),
        "cli_cpu_s_median": round(statistics.median(cli_cpu), 4),
        "cli_imports_sklearn": mods["sklearn"],
        "cli_imports_numpy": mods["numpy"],
        "repeats": repeat,
    }
    if args.cv:
        from luoshi.plans.parser.suggest import cross_validate

        cv = cross_validate()
        figures["suggest_cv"] = cv
        print(
            f"unit suggestions: {cv['n']} measures, {cv['classes']} units, 5-fold CV top-1 {cv['top1']:.3f}, "
            f"top-3 {cv['top3']:.3f} (classifier alone {cv['clf_top1']:.3f} / {cv['clf_top3']:.3f})"
        )
    verdict = {
        "parse_1mb_distinct_le_0.3s": med <= GOAL_MB_S,
        "outputs_unchanged": out_digest == recorded,
        "paragraphs_distinct": long_repeated_share <= 0.05,
        "cli_6kb_whole_process_le_0.4s": cli_med <= GOAL_CLI_S,
        "cli_plain_path_without_sklearn": not mods["sklearn"],
    }
    for k, v in verdict.items():
        print(f"verdict {k}: {'PASS' if v else 'FAIL'}")
    print(
        json.dumps(
            {
                "bench": "parse",
                "figures": figures,
                "references": {
                    "parse_s_per_mb_issue": REF_MB_S,
                    "parse_commit": args.reference,
                    "cli_s": REF_CLI_S,
                    "goal_parse_s_per_mb": GOAL_MB_S,
                    "goal_cli_s": GOAL_CLI_S,
                },
                "verdict": verdict,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
