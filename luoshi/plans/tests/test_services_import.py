"""Importing a document as a draft plan: grants, refusals, bad files, background progress, revisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, ImportFailed, InvalidTransition
from luoshi.plans import selectors, services
from luoshi.plans.diff import ChangeKind
from luoshi.plans.models import ImportStatus, Measure, Plan, PlanImport, PlanKind, PlanStatus
from luoshi.plans.tests.conftest import SMALL_PLAN, seed_path

pytestmark = pytest.mark.django_db


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_admin_imports_seed_000_as_a_draft_with_resolved_and_unknown_units(
    users: dict[str, Any], regions: dict[str, Any], units: dict[str, Any]
) -> None:
    plan = services.plan_import(seed_path("000"), region=regions["jingmen"], actor=users["admin"])
    assert plan.status == PlanStatus.DRAFT and plan.kind == PlanKind.PLAN
    assert plan.year == 2025 and "营商环境" in plan.title
    measures = list(plan.measures.order_by("seq"))
    assert len(measures) >= 60
    first = measures[0]
    assert first.lead_units_text == ["市发改委", "市经信局"]
    assert {link["status"] for link in first.unit_links} == {"resolved"}
    assert set(first.lead_units.all()) == {units["jm_fgw"], units["jm_jxj"]}
    assert plan.source_text[first.span_start : first.span_end].startswith("完善“链长")
    unknown = {n for m in measures for n in m.unresolved_units}
    assert "市招商局" in unknown  # not in the test directory
    event = AuditEvent.objects.get(action="plan.imported", subject_id=str(plan.pk))
    assert event.actor == users["admin"] and event.after is not None
    assert event.after["measures"] == len(measures)
    imp = PlanImport.objects.get(plan=plan)
    assert imp.status == ImportStatus.DONE and imp.progress == 100


@pytest.mark.parametrize("who", ["staff", "leader", "observer", "enterprise", "admin_jz"])
def test_import_is_refused_to_everyone_but_the_regions_admin(
    users: dict[str, Any], regions: dict[str, Any], small_plan_file: Path, who: str
) -> None:
    with pytest.raises(AccessDenied):
        services.plan_import(small_plan_file, region=regions["jingmen"], actor=users[who])
    assert Plan.objects.count() == 0 and PlanImport.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("空文件.txt", b"", "空"),
        ("方案.exe", b"MZ\x90\x00", "不支持"),
        ("损坏.docx", b"PK\x03\x04 this is not really a zip", ""),
        ("二进制.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20, ""),
        ("没有举措.txt", "关于做好春节假期值班工作的通知\n请各单位做好值班安排。".encode(), ""),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_half_written(
    users: dict[str, Any], regions: dict[str, Any], name: str, content: bytes, says: str
) -> None:
    with pytest.raises(ImportFailed) as refused:
        services.plan_import(_upload(name, content), region=regions["jingmen"], actor=users["admin"])
    assert refused.value.message and says in refused.value.message
    assert Plan.objects.count() == 0 and Measure.objects.count() == 0
    assert not AuditEvent.objects.filter(action="plan.imported").exists()
    for imp in PlanImport.objects.all():  # a failed upload keeps its record (with the reason), not its file
        assert imp.status == ImportStatus.FAILED and imp.error
        assert not (Path(django_settings.FILES_DIR) / imp.stored_path).exists()


def test_oversized_upload_is_refused_before_parsing(
    users: dict[str, Any], regions: dict[str, Any], settings: Any
) -> None:
    settings.LUOSHI_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ImportFailed, match="上限"):
        services.plan_import(
            _upload("大文件.txt", SMALL_PLAN.encode() * 10), region=regions["jingmen"], actor=users["admin"]
        )
    assert PlanImport.objects.count() == 0


def test_the_same_file_twice_is_refused(
    users: dict[str, Any], regions: dict[str, Any], small_plan_file: Path
) -> None:
    services.plan_import(small_plan_file, region=regions["jingmen"], actor=users["admin"])
    with pytest.raises(ImportFailed, match="已导入"):
        services.plan_import(small_plan_file, region=regions["jingmen"], actor=users["admin"])


def test_large_files_run_in_a_background_job_with_progress(
    users: dict[str, Any],
    regions: dict[str, Any],
    small_plan_file: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        imp = services.plan_import_start(
            small_plan_file, region=regions["jingmen"], actor=users["admin"], background=True
        )
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and imp.progress == 100 and imp.plan is not None
    assert imp.plan.measures.count() >= 2


def test_interpretation_reports_facts_and_cannot_be_published(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    plan = services.plan_import(seed_path("004"), region=regions["jingmen"], actor=users["admin"])
    assert plan.kind in (PlanKind.INTERPRETATION, PlanKind.NEWS)
    assert plan.summary["facts"]
    with pytest.raises(InvalidTransition, match="不能发布"):
        services.plan_publish(plan, actor=users["admin"])


def test_reimport_of_a_revised_plan_shows_the_changes(
    users: dict[str, Any], regions: dict[str, Any], tmp_path: Path
) -> None:
    first = services.plan_import(seed_path("000"), region=regions["jingmen"], actor=users["admin"])
    text = seed_path("000").read_text(encoding="utf-8")
    removed = "制定向民营经济开放产业和事项推介目录清单。(市发改委负责,2025年10月底前完成)"
    assert removed in text
    revised_text = text.replace(removed, "").replace("2025年6月底前完成", "2025年9月底前完成", 1)
    revised_text = revised_text.replace(
        "推广长城、亿纬等产业链招商模式",
        "新建产业链供需对接平台,每季度组织一次对接活动。(市经信局负责,2025年12月底前完成)推广长城、亿纬等产业链招商模式",
    )
    path = tmp_path / "修订版.txt"
    path.write_text(revised_text, encoding="utf-8")
    second = services.plan_import(path, region=regions["jingmen"], actor=users["admin"], previous=first)
    assert second.previous == first and second.revision == 2
    diffs = selectors.plan_diff(users["admin"], second)
    kinds = {d.kind for d in diffs}
    assert {ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED} <= kinds
    removed_texts = [d.old.text for d in diffs if d.kind == ChangeKind.REMOVED and d.old]
    assert any("推介目录清单" in t for t in removed_texts)
    added_texts = [d.new.text for d in diffs if d.kind == ChangeKind.ADDED and d.new]
    assert any("供需对接平台" in t for t in added_texts)
    changed = [d for d in diffs if d.kind == ChangeKind.CHANGED]
    assert any(c.field == "deadline" and c.after == "2025-09-30" for d in changed for c in d.changes)


def test_suggested_units_come_from_the_plans_region(
    users: dict[str, Any], units: dict[str, Any], tmp_path: Path
) -> None:
    """A measure naming no unit gets lead-unit suggestions ranked among the region's own units."""
    path = tmp_path / "无单位方案.txt"
    path.write_text(
        "荆门市测试行动方案\n二、重点任务\n(一)优化产业链服务。完善产业链链长制,加强招商引资和项目审批服务。\n",
        encoding="utf-8",
    )
    plan = services.plan_import(path, region=units["jm_fgw"].region, actor=users["admin"])
    measure = plan.measures.get()
    suggested = [s["name"] for s in measure.suggested_units]
    assert suggested and set(suggested) <= {"市发改委", "市经信局"}
