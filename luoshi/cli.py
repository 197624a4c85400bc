"""`luoshi`: the single entry point for the server, the worker and every command.

Each domain registers its own sub-commands in `<app>/cli.py` (a `register(subparsers)` function) and
declares it as `cli_module` on its AppConfig (`luoshi.core.discovery`), so this file only wires groups
together. Commands that need no database (calendar, plan parse) do not set
Django up; the others call `luoshi.core.bootstrap.setup_django()` first.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from luoshi.core.bootstrap import setup_django

__all__ = ["build_parser", "main", "setup_django"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="luoshi",
        description="落实 luoshi — run the platform and its commands. "
        "Start with `luoshi demo` to get a working platform with the seed plans loaded.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from luoshi.core.discovery import declared_modules

    for module in declared_modules("cli_module"):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from luoshi.core.interface import Interface, interface

    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0 if args.command is None else 2
    with interface(Interface.COMMAND):
        try:
            result = func(args)
        except KeyboardInterrupt:
            return 130
        except Exception as exc:
            from luoshi.core.errors import DomainError

            if isinstance(exc, DomainError):
                print(f"错误 [{exc.reason or exc.code}]: {exc.message}", file=sys.stderr)
                if exc.details:
                    for item in exc.details if isinstance(exc.details, list) else [exc.details]:
                        print(f"  - {_describe(item)}", file=sys.stderr)
                return 1
            raise
    return int(result or 0)


def _describe(item: object) -> str:
    """One problem of an ImportFailed as a line: 第 3 行 「单位全称」: 不能为空。"""
    if isinstance(item, dict) and "message" in item:
        where = []
        if item.get("row") is not None:
            where.append(f"第 {item['row']} 行")
        if item.get("column"):
            where.append(f"「{item['column']}」")
        return (" ".join(where) + ": " if where else "") + str(item["message"])
    return str(item)


if __name__ == "__main__":
    sys.exit(main())
