"""Run heavy parsing in a child process with memory, CPU and wall-clock limits.

Pure Python (no Django). A web thread or job calls `run_bounded(fn, *args, limits=...)`: the child process sets
`resource.setrlimit` (address space and CPU seconds) before it runs `fn`, and the parent waits at most
`wall_seconds`, then kills it. A file that slips past the static guards (`core.safe_files`) therefore costs at most
the limits, never the server: a `MemoryError`, SIGXCPU or the wall clock becomes `ResourceLimitExceeded` with a
Chinese message, and the parent's memory and threads are untouched.

`fn` and its arguments must be picklable results-wise (the return value and any exception travel back through a
pipe). The child is forked from the caller (so modules and caches already loaded are shared copy-on-write) and leaves
with `os._exit`, so it never closes the parent's database connections.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import signal
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from luoshi.core.safe_files import UnsafeFile

MB = 1024 * 1024


@dataclass(frozen=True)
class ResourceLimits:
    memory_bytes: int = 1024 * MB  # address space the child may add to what it inherits
    cpu_seconds: int = 120
    wall_seconds: float = 180.0


class ResourceLimitExceeded(UnsafeFile):
    pass


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(
    conn: Connection,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    limits: ResourceLimits,
) -> None:
    try:
        base = _vm_size()
        resource.setrlimit(resource.RLIMIT_AS, (base + limits.memory_bytes, base + limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        try:
            payload: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except MemoryError:
            payload = ("memory", None)
        except BaseException as exc:  # travels to the parent and is raised there
            payload = ("error", exc)
        try:
            conn.send_bytes(pickle.dumps(payload))
        except MemoryError:
            conn.send_bytes(pickle.dumps(("memory", None)))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send_bytes(pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}"))))
    finally:
        conn.close()
        os._exit(0)


def run_bounded(
    fn: Callable[..., Any], *args: Any, limits: ResourceLimits | None = None, **kwargs: Any
) -> Any:
    """`fn(*args, **kwargs)` in a limited child process; its exception is re-raised here."""
    limits = limits or ResourceLimits()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", DeprecationWarning
        )  # fork with threads: the child runs pure code only
        proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, limits), daemon=True)
        proc.start()
    child.close()
    try:
        if not parent.poll(limits.wall_seconds):
            raise ResourceLimitExceeded(
                f"文件解析超过 {limits.wall_seconds:.0f} 秒仍未完成,已中止。请拆分文件或另存为 .docx 后再上传。",
                code="parse_timeout",
            )
        try:
            status, value = pickle.loads(parent.recv_bytes())  # noqa: S301 - our own child process
        except EOFError:
            proc.join(5)
            if proc.exitcode == -signal.SIGXCPU or proc.exitcode == -signal.SIGKILL:
                raise ResourceLimitExceeded(
                    f"文件解析耗用的计算时间超过 {limits.cpu_seconds} 秒的上限,已中止。请拆分文件后再上传。",
                    code="parse_cpu_limit",
                ) from None
            raise ResourceLimitExceeded(
                "文件解析进程异常退出(可能所需内存超过上限),已中止。请拆分文件或另存后再上传。",
                code="parse_crashed",
            ) from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "memory":
        raise ResourceLimitExceeded(
            f"文件解析所需内存超过 {limits.memory_bytes // MB} MB 的上限,已中止。请拆分文件后再上传。",
            code="parse_memory_limit",
        )
    if status == "error":
        raise value
    return value
