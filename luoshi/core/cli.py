"""Platform commands: serve, worker, migrate, demo, manage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="run the web server (and, on the embedded default, a job worker beside it)",
        description="Run luoshi. By default: migrates the embedded SQLite database, starts one "
        "background-job worker and serves on 127.0.0.1:8000. With --prod: collects static files "
        "and runs several gunicorn workers; start `luoshi worker` processes separately.",
    )
    p.add_argument("--host", default=os.environ.get("LUOSHI_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("LUOSHI_PORT", "8000")))
    p.add_argument(
        "--prod", action="store_true", help="production mode: gunicorn workers, no embedded job worker"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LUOSHI_WEB_WORKERS", "0")) or None,
        help="gunicorn worker processes (default 1, or 2×CPU+1 with --prod)",
    )
    p.add_argument("--no-worker", action="store_true", help="do not start the embedded job worker")
    p.set_defaults(func=serve)

    p = sub.add_parser(
        "worker",
        help="run a background-job worker (huey consumer)",
        description="Run a worker that executes background jobs (warning sweep, reminders, "
        "imports, reports). On PostgreSQL + Redis run as many as you need.",
    )
    p.add_argument("--threads", type=int, default=int(os.environ.get("LUOSHI_WORKER_THREADS", "2")))
    p.set_defaults(func=worker)

    p = sub.add_parser("migrate", help="create or upgrade the database tables")
    p.set_defaults(func=migrate)

    p = sub.add_parser(
        "demo",
        help="set up demo data (directory, one user per role, seed plans) and serve",
        description="Migrate the embedded database, load the org directory, create one user per "
        "role (printing their logins), import the five seed plans, generate deterministic "
        "synthetic data, then serve on 127.0.0.1:8000. Safe to run twice.",
    )
    p.add_argument("--no-serve", action="store_true", help="set up the data and exit")
    p.add_argument(
        "--show-passwords", action="store_true", help="print the demo accounts' generated passwords and exit"
    )
    p.add_argument("--enterprises", type=int, default=200, help="synthetic enterprises (default 200)")
    p.add_argument("--requests", type=int, default=300, help="synthetic enterprise requests (default 300)")
    p.add_argument("--projects", type=int, default=30, help="synthetic major projects (default 30)")
    p.add_argument("--seed", type=int, default=20250409, help="random seed for synthetic data")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=demo)

    p = sub.add_parser(
        "manage", help="run a Django management command (createsuperuser, makemigrations ...)", add_help=False
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=manage)


def _setup() -> None:
    from luoshi.core.bootstrap import setup_django

    setup_django()


def migrate(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def manage(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["luoshi manage", *args.rest])
    return 0


def configure_worker_logging() -> None:
    """The worker prints its own lines (started, executing, retries) at LUOSHI_WORKER_LOG_LEVEL (INFO), once:
    settings give the "huey" logger its handler at WARNING for every other process."""
    import logging

    logging.getLogger("huey").setLevel(os.environ.get("LUOSHI_WORKER_LOG_LEVEL", "INFO"))


def worker(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    configure_worker_logging()
    call_command("run_huey", workers=args.threads, worker_type="thread")
    return 0


def serve(args: argparse.Namespace) -> int:
    if args.prod:
        os.environ["LUOSHI_STATIC_MANIFEST"] = "1"  # before settings load; gunicorn workers inherit it
        os.environ["LUOSHI_PROD"] = "1"  # Secure cookies, HSTS, proxy TLS header, idle session expiry
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("check")  # a misconfiguration (an SMS backend that cannot be imported …) stops the start here
    if args.prod:
        call_command("collectstatic", interactive=False, verbosity=0)
    elif not os.environ.get("DATABASE_URL"):
        call_command("migrate", interactive=False, verbosity=0)
    from luoshi.core.serving import default_workers, gunicorn_command, web_threads

    workers = args.workers or default_workers(prod=args.prod)
    children: list[subprocess.Popen[bytes]] = []
    if not args.prod and not args.no_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "luoshi.cli", "worker"]))
    cmd = gunicorn_command(bind=f"{args.host}:{args.port}", workers=workers, threads=web_threads(prod=args.prod))
    print(
        f"luoshi 正在运行: http://{args.host}:{args.port}/  (数据目录 {settings.DATA_DIR};Ctrl+C 停止)",
        flush=True,
    )
    web = subprocess.Popen(cmd)

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # SIGTERM (systemd, docker stop, kill) stops gunicorn and the worker too

    signal.signal(signal.SIGTERM, _stop)
    try:
        return web.wait()
    except KeyboardInterrupt:
        web.send_signal(signal.SIGTERM)
        web.wait()
        return 0
    finally:
        for child in children:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def demo(args: argparse.Namespace) -> int:
    _setup()
    from luoshi.core.demo import DemoOptions, NotADemoDatabase, demo_passwords, passwords_file, run_demo

    if args.show_passwords:
        known = demo_passwords()
        if not known:
            print(f"尚未生成演示密码({passwords_file()} 不存在):请先运行 luoshi demo。", file=sys.stderr)
            return 1
        for username, password in known.items():
            print(f"{username:<12} {password}")
        return 0
    try:
        run_demo(
            DemoOptions(
                enterprises=args.enterprises, requests=args.requests, projects=args.projects, seed=args.seed
            ),
            out=sys.stdout,
        )
    except NotADemoDatabase as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if args.no_serve:
        return 0
    args.prod = False
    args.workers = None
    args.no_worker = False
    return serve(args)
