"""`luoshi plan …` commands. `plan parse` needs no database: it only runs the parser library.

To add a sub-command, write a `_add_<name>(plan_sub)` function and call it from `register`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plan",
        help="action plans: parse a plan document into a ledger of measures",
        description="Commands for action plans (行动方案).",
    )
    plan_sub = p.add_subparsers(dest="plan_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])
    _add_parse(plan_sub)
    _add_train_suggestions(plan_sub)
    _add_reap_imports(plan_sub)


def _add_reap_imports(plan_sub: Any) -> None:
    p = plan_sub.add_parser(
        "reap-imports",
        help="fail imports whose background job was lost and delete orphaned upload files",
        description="Imports pending or running with no heartbeat for --minutes (default LUOSHI_IMPORT_STALE_MINUTES, "
        "30) are marked failed with a Chinese reason and their uploads deleted; upload files no import refers to "
        "are deleted too. The worker runs this every 10 minutes.",
    )
    p.add_argument("--minutes", type=int, default=None, help="how long without a heartbeat counts as lost")
    p.set_defaults(func=reap_imports_command)


def reap_imports_command(args: argparse.Namespace) -> int:
    import datetime as dt

    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.core.interface import Interface, interface
    from luoshi.plans.services import plan_imports_reap

    with interface(Interface.COMMAND):
        result = plan_imports_reap(stale_after=dt.timedelta(minutes=args.minutes) if args.minutes else None)
    print(f"已终止 {result['reaped']} 个中断的导入,删除 {result['files_removed']} 个无主的上传文件。")
    return 0


def _add_parse(plan_sub: Any) -> None:
    p = plan_sub.add_parser(
        "parse",
        help="extract the measures of a plan (.txt/.docx/.pdf/.html/.doc/.wps/.xlsx)",
        description="Read a plan document and print its measures as JSONL (the scorer's schema), or write "
        "them to -o OUT.jsonl / OUT.json (the whole result) / OUT.xlsx (the ledger). No database needed.",
    )
    p.add_argument("file", help="plan document")
    p.add_argument(
        "--year", type=int, default=None, help="plan year for 年底前 etc. (default: from the document)"
    )
    p.add_argument(
        "--region", default=None, help="region name (kept in the output; units are not resolved here)"
    )
    p.add_argument(
        "-o", "--output", default=None, help="OUT.jsonl, OUT.json or OUT.xlsx (default: JSONL on stdout)"
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="print each reading (section, text, units, deadline, targets) with the rule that made it and "
        "where in the document it was read, instead of JSONL",
    )
    p.add_argument(
        "--suggest",
        action="store_true",
        help="also suggest lead units for measures that name none (loads the trained suggestion model)",
    )
    p.set_defaults(func=parse_command)


def _add_train_suggestions(plan_sub: Any) -> None:
    p = plan_sub.add_parser(
        "train-suggestions",
        help="fit the lead-unit suggestion model on the shipped ledgers and save it (run after adding ledgers)",
        description="Fit the lead-unit suggestion model on luoshi/plans/parser/data/*.jsonl and write "
        "data/suggest_model.npz, which `plan parse --suggest` and the import then load.",
    )
    p.set_defaults(func=train_suggestions_command)


def train_suggestions_command(args: argparse.Namespace) -> int:
    from luoshi.plans.parser import suggest

    model = suggest.train()
    if model is None:
        print("错误:训练数据不足(至少需要两个牵头单位的举措)。", file=sys.stderr)
        return 1
    print(
        f"已写入 {suggest.MODEL_PATH}:{len(model.classes)} 个单位,{len(model.vocabulary)} 个字词特征。",
        file=sys.stderr,
    )
    return 0


def parse_command(args: argparse.Namespace) -> int:
    from luoshi.plans.parser import ParseError, parse_file

    path = Path(args.file)
    try:
        result = parse_file(path, year=args.year, region=args.region, suggest=args.suggest)
    except ParseError as exc:
        print(f"错误:{exc.message}", file=sys.stderr)
        return 1
    except (OSError, MemoryError, RecursionError) as exc:
        print(f"错误:无法读取文件 {path.name}({type(exc).__name__})。请检查文件后重试。", file=sys.stderr)
        return 1
    doc = path.stem
    out = args.output
    for w in result.warnings:
        print(f"提示:{w}", file=sys.stderr)
    if result.kind != "plan":
        label = "政策解读" if result.kind == "interpretation" else "新闻报道"
        print(
            f"提示:该文件是{label},不是行动方案;未提取举措,只报告其陈述的事实(见 .json 输出的 facts)。",
            file=sys.stderr,
        )
    if args.explain and not out:
        from luoshi.plans.parser.explain import explain_lines

        _write_stdout(explain_lines(result))
        return 0
    lines = [
        json.dumps(
            {
                "doc": doc,
                "seq": m.seq,
                **m.to_score_dict(),
                **({"suggested_units": m.suggested_units} if args.suggest else {}),
            },
            ensure_ascii=False,
        )
        for m in result.measures
    ]
    if not out:
        _write_stdout(lines)
        if result.kind != "plan":
            print(
                json.dumps({"doc": doc, "kind": result.kind, "facts": result.facts}, ensure_ascii=False),
                file=sys.stderr,
            )
        return 0
    target = Path(out)
    try:
        if target.suffix.lower() == ".xlsx":
            from luoshi.plans.parser.ledger import write_ledger_xlsx

            write_ledger_xlsx(result.measures, target, title=result.title)
        elif target.suffix.lower() == ".json":
            d = result.to_dict()
            d["region"] = args.region
            target.write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        print(f"错误:无法写入 {target}({exc.strerror})。请检查路径和权限。", file=sys.stderr)
        return 1
    print(f"已写入 {target}:{len(result.measures)} 条举措。", file=sys.stderr)
    return 0


def _write_stdout(lines: list[str]) -> None:
    try:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
