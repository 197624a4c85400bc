"""Benchmark: decompression bombs are refused fast and cheaply.

Generates each bomb (never stored in the repository):
- a 0.3 MB .docx whose word/document.xml expands to 100 MB,
- a 64 KB .xlsx whose one sheet expands to 20 MB,
- a 0.5 MB .pdf with one 500 MB FlateDecode content stream,

then uploads each through the real pages (Django's test client against a scratch SQLite database in a temporary data
directory: middleware, view, service, the parsing sandbox): the plan upload page as the office (.docx, .xlsx, .pdf),
and the department's report-workbook import (.xlsx). For each upload it prints the HTTP status, the time to refusal
and the peak memory above idle of the web process (sampled every 5 ms) and of the parsing child process, then one JSON
line with every figure.

Goal: each bomb refused in < 2 s, < 200 MB above idle.

    .venv/bin/python bench/bombs.py
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MB = 1024 * 1024


def rss() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakSampler:
    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss())
            time.sleep(0.005)

    def __enter__(self) -> PeakSampler:
        self.peak = rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="luoshi-bombs-")
    os.environ["LUOSHI_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    os.environ["LUOSHI_JOBS_IMMEDIATE"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.core.tests import bombs
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel, Unit

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", interactive=False, verbosity=0)
    region = region_create(code="b420800", name="荆门市", level=RegionLevel.CITY)
    unit = Unit.objects.create(region=region, name="荆门市发展和改革委员会")
    password = os.urandom(12).hex()
    admin = user_create(username="bench_admin", password=password, role=Role.ADMIN, region=region)
    staff = user_create(username="bench_staff", password=password, role=Role.STAFF, unit=unit)

    t = time.perf_counter()
    files = {
        "docx": bombs.docx_bomb(100 * MB),
        "xlsx": bombs.xlsx_bomb(20 * MB),
        "pdf": bombs.pdf_bomb(500 * MB),
    }
    print(
        f"generated the bombs in {time.perf_counter() - t:.1f} s: "
        + ", ".join(f".{k} {len(v) / 1024:.0f} KB" for k, v in files.items())
    )
    office, department = Client(), Client()
    office.force_login(admin)
    department.force_login(staff)
    office.get("/plans/upload/")  # warm up: first request, templates, parser imports
    cases = [
        ("plan upload (office)", office, "/plans/upload/", "docx", {"region": region.pk}),
        ("plan upload (office)", office, "/plans/upload/", "xlsx", {"region": region.pk}),
        ("plan upload (office)", office, "/plans/upload/", "pdf", {"region": region.pk}),
        ("report workbook import (department)", department, "/supervision/mine/import/", "xlsx", {}),
    ]
    results = []
    for label, client, url, ext, fields in cases:
        payload = files[ext]
        upload = SimpleUploadedFile(f"bomb.{ext}", payload)
        idle = rss()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        with PeakSampler() as sampler:
            t = time.perf_counter()
            response = client.post(url, {**fields, "file": upload}, follow=True)
            seconds = time.perf_counter() - t
        children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        body = response.content.decode()
        refused = "拒绝读取" in body
        above = (sampler.peak - idle) / MB
        child_above = max(0, children_peak - max(children_before, idle)) / MB
        results.append(
            {
                "case": f"{label} .{ext}",
                "file_kb": round(len(payload) / 1024),
                "status": response.status_code,
                "refused_with_message": refused,
                "seconds": round(seconds, 3),
                "web_mb_above_idle": round(above, 1),
                "child_mb_above_idle": round(child_above, 1),
            }
        )
        ok = refused and seconds < 2 and above < 200 and child_above < 200
        print(
            f"{label:38s} .{ext:4s} {len(payload) / 1024:6.0f} KB  HTTP {response.status_code}  "
            f"refused={'yes' if refused else 'NO'}  {seconds:6.3f} s  web +{above:5.1f} MB  "
            f"parser child +{child_above:5.1f} MB  {'ok' if ok else 'MISSED GOAL'}"
        )
    print("goal: refused with a message in < 2 s, < 200 MB above idle")
    print(json.dumps({"bench": "bombs", "results": results}, ensure_ascii=False))
    return 0 if all(r["refused_with_message"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
