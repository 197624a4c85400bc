"""Writes of the plans domain: import a document as a draft plan, review its measures, publish it.

Every function checks that the actor is an administrator (营商办管理员) of the plan's region, validates, saves
inside one transaction and records an audit event. Measure edits carry the `version` the reviewer saw; a stale
version is refused with `Conflict` instead of overwriting someone else's change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from luoshi.accounts.access import region_contains, require_can_change, require_region, require_role
from luoshi.accounts.models import Role
from luoshi.audit.services import record, snapshot
from luoshi.core.bounds import expected_or_current
from luoshi.core.errors import Conflict, ImportFailed, InvalidTransition, NotFound, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.core.sanitize import strip_controls
from luoshi.orgs.models import Region, Unit
from luoshi.plans import hooks
from luoshi.plans.errors import PlanError
from luoshi.plans.events import PlanEvent
from luoshi.plans.models import ImportStatus, Measure, Plan, PlanImport, PlanKind, PlanStatus

if TYPE_CHECKING:
    from luoshi.accounts.models import User

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".txt", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm", ".xlsx")
# Files above this size are parsed by a background job while the upload page shows progress.
ASYNC_THRESHOLD_BYTES = int(getattr(settings, "LUOSHI_PLAN_IMPORT_ASYNC_BYTES", 1024 * 1024))
_SEQ_OFFSET = 1_000_000  # moves seq numbers out of the way while renumbering (unique per plan)

EDITABLE_FIELDS = (
    "text",
    "title",
    "lead_units_text",
    "co_units_text",
    "deadline",
    "deadline_phrase",
    "ongoing",
    "targets",
)
MEASURE_AUDIT_FIELDS = [
    "seq",
    "title",
    "text",
    "lead_units_text",
    "co_units_text",
    "unresolved_units",
    "deadline",
    "deadline_phrase",
    "ongoing",
    "targets",
    "version",
]


class UploadLike(Protocol):
    name: str | None

    def chunks(self, chunk_size: int | None = ...) -> Iterable[bytes]: ...


# --- permissions ------------------------------------------------------------------------------------------


def _require_admin(actor: User | None, region: Region, action: str) -> None:
    require_can_change(actor)
    require_role(actor, Role.ADMIN, action=action)
    require_region(actor, region, action=action)


def _require_draft(plan: Plan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition(
            f"《{plan.title}》已{plan.get_status_display()},不能再修改;如需调整,请导入修订版后重新审核发布。",
            code=PlanError.PLAN_CLOSED,
        )


# --- unit resolution -------------------------------------------------------------------------------------


def _resolve(names: Sequence[str], region: Region) -> dict[str, dict[str, Any]]:
    """Resolve each distinct name against the org directory: {name: {status, unit, unit_name, candidates}}."""
    from luoshi.directory.selectors import resolve_units

    distinct = list(dict.fromkeys(n for n in names if n))
    if not distinct:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for res in resolve_units(distinct, region):
        unit = res.unit
        out[res.name] = {
            "status": str(res.status),
            "unit": unit.pk if unit is not None else None,
            "unit_name": unit.name if unit is not None else "",
            "candidates": [{"id": c.pk, "name": c.name} for c in (res.candidates or [])],
        }
    return out


def _links(
    lead: Sequence[str],
    co: Sequence[str],
    resolved: Mapping[str, Mapping[str, Any]],
    keep: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The unit links of a measure. A reviewer's earlier pick for the same name and role is kept."""
    picked = {(link["name"], link["role"]): link for link in keep if link.get("picked")}
    out: list[dict[str, Any]] = []
    for role, names in (("lead", lead), ("co", co)):
        for name in dict.fromkeys(names):
            if (name, role) in picked:
                out.append(dict(picked[(name, role)]))
                continue
            res = resolved.get(name) or {"status": "unknown", "unit": None, "unit_name": "", "candidates": []}
            out.append({"name": name, "role": role, **res, "picked": False})
    return out


def _unresolved(links: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(link["name"] for link in links if link["status"] != "resolved"))


def _sync_unit_relations(measure: Measure) -> None:
    lead = [
        link["unit"] for link in measure.unit_links if link["role"] == "lead" and link["status"] == "resolved"
    ]
    co = [
        link["unit"] for link in measure.unit_links if link["role"] == "co" and link["status"] == "resolved"
    ]
    measure.lead_units.set(list(dict.fromkeys(lead)))
    measure.co_units.set(list(dict.fromkeys(co)))


# --- import ------------------------------------------------------------------------------------------------


def _imports_dir() -> Path:
    path = Path(settings.FILES_DIR) / "plan-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store_upload(file: UploadLike | Path, suffix: str) -> tuple[str, str, int]:
    """Copy the upload into the files area, hashing it and stopping as soon as it is too large.
    Returns (path relative to FILES_DIR, sha256, size)."""
    limit = int(settings.LUOSHI_MAX_UPLOAD_BYTES)
    rel = f"plan-imports/{uuid.uuid4().hex}{suffix}"
    dest = _imports_dir() / Path(rel).name
    digest = hashlib.sha256()
    size = 0
    chunks: Iterable[bytes]
    if isinstance(file, Path):
        chunks = _read_path(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        chunks = file.chunks()
    try:
        with dest.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ImportFailed(
                        f"文件超过 {limit // (1024 * 1024)} MB 的上限,无法导入。请拆分文件或只上传方案正文。",
                        code=PlanError.FILE_TOO_LARGE,
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    if size == 0:
        dest.unlink(missing_ok=True)
        raise ImportFailed(code=PlanError.FILE_EMPTY)
    return rel, digest.hexdigest(), size


def _read_path(path: Path) -> Iterable[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            yield chunk


def _existing_import(region: Region, sha256: str) -> Plan | None:
    return (
        Plan.objects.filter(region=region, source_sha256=sha256)
        .exclude(status=PlanStatus.ARCHIVED)
        .order_by("-revision")
        .first()
    )


def plan_import_start(
    file: UploadLike | Path,
    *,
    region: Region,
    actor: User | None,
    year: int | None = None,
    previous: Plan | None = None,
    filename: str | None = None,
    background: bool | None = None,
) -> PlanImport:
    """Accept an uploaded document and parse it: at once for small files, in a background job for large ones
    (`background=None` decides by size). The returned record shows the progress and, when done, the plan."""
    _require_admin(actor, region, "导入行动方案")
    name = filename or (file.name if isinstance(file, Path) else (file.name or ""))
    name = Path(name).name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportFailed(
            f"不支持的文件类型“{suffix or name}”。请上传 Word(.docx/.doc/.wps)、PDF、网页(.html)、"
            "文本(.txt)或任务清单(.xlsx)文件。",
            code=PlanError.FILE_TYPE_UNSUPPORTED,
        )
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationFailed(f"方案年度“{year}”不正确,请填写四位年份,如 2025。", code=PlanError.YEAR_INVALID)
    if previous is not None:
        if previous.region_id != region.pk:
            raise ValidationFailed("修订版必须与原方案属于同一区域。", code=PlanError.REVISION_OTHER_REGION)
        if previous.status == PlanStatus.ARCHIVED:
            raise InvalidTransition(f"《{previous.title}》已归档,请选择该方案的最新版本进行修订。", code=PlanError.REVISING_ARCHIVED)
    rel, sha256, size = _store_upload(file, suffix)
    existing = _existing_import(region, sha256)
    if existing is not None:
        (Path(settings.FILES_DIR) / rel).unlink(missing_ok=True)
        raise ImportFailed(
            f"该文件已导入为《{existing.title}》(第{existing.revision}版,{existing.get_status_display()}),"
            "无需重复导入。如方案有修订,请上传修订后的文件。",
            code=PlanError.ALREADY_IMPORTED,
        )
    imp = PlanImport.objects.create(
        region=region,
        year=year,
        previous=previous,
        source_name=name[:255],
        source_sha256=sha256,
        size=size,
        stored_path=rel,
        created_by=actor,
        stage="已接收文件,等待解析",
        progress=5,
    )
    if background is None:
        background = size > ASYNC_THRESHOLD_BYTES
    if background:
        from luoshi.plans.tasks import plan_import_run

        transaction.on_commit(lambda: plan_import_run(imp.pk))
    else:
        plan_import_execute(imp.pk)
        imp.refresh_from_db()
    return imp


def plan_import(
    file: UploadLike | Path,
    *,
    region: Region,
    actor: User | None,
    year: int | None = None,
    previous: Plan | None = None,
    filename: str | None = None,
) -> Plan:
    """Import a document (or a ledger .xlsx) as a draft plan, synchronously. A document that cannot be read is
    refused with `ImportFailed` and nothing is written but the failed import record."""
    imp = plan_import_start(
        file, region=region, actor=actor, year=year, previous=previous, filename=filename, background=False
    )
    if imp.status != ImportStatus.DONE or imp.plan is None:
        raise ImportFailed(
            imp.error or "导入失败,请检查文件后重试。",
            details=imp.error_details or None,
            code=PlanError.IMPORT_FAILED,
        )
    return imp.plan


def _progress(imp: PlanImport, progress: int, stage: str, **extra: Any) -> None:
    """Saved at once (outside the import's transaction) so the upload page can poll it; also the job's heartbeat."""
    PlanImport.objects.filter(pk=imp.pk).update(
        progress=progress, stage=stage, heartbeat_at=timezone.now(), **extra
    )


def plan_import_fail(import_id: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
    imp = PlanImport.objects.filter(pk=import_id).first()
    if imp is None or imp.status == ImportStatus.DONE:
        return
    PlanImport.objects.filter(pk=import_id).update(
        status=ImportStatus.FAILED,
        stage="导入失败",
        error=message,
        error_details=details or [],
        finished_at=timezone.now(),
    )
    if imp.stored_path:
        (Path(settings.FILES_DIR) / imp.stored_path).unlink(missing_ok=True)


STALE_REASON = (
    "导入已中断:后台解析超过 {minutes} 分钟没有进展(处理进程可能已被终止),已停止等待并删除上传的文件。"
    "请重新上传该文件;如反复出现,请联系系统管理员。"
)


def import_stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "LUOSHI_IMPORT_STALE_MINUTES", 30)))


def plan_imports_reap(now: dt.datetime | None = None, stale_after: dt.timedelta | None = None) -> dict[str, int]:
    """Fail the imports whose job was lost (pending or running with no heartbeat for `stale_after`), delete their
    uploads, and delete upload files no import refers to (a process killed between storing and recording).
    Safe to run at any time and twice: a live import beats its heartbeat at every step."""
    now = now or timezone.now()
    stale_after = stale_after or import_stale_after()
    cutoff = now - stale_after
    minutes = int(stale_after.total_seconds() // 60)
    stale = PlanImport.objects.filter(status__in=(ImportStatus.PENDING, ImportStatus.RUNNING)).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    reaped = 0
    for pk in list(stale.values_list("pk", flat=True)):
        plan_import_fail(pk, STALE_REASON.format(minutes=minutes))
        reaped += 1
    known = set(PlanImport.objects.exclude(stored_path="").values_list("stored_path", flat=True))
    removed = 0
    folder = _imports_dir()
    for path in folder.iterdir():
        rel = f"plan-imports/{path.name}"
        if rel in known or not path.is_file():
            continue
        if dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return {"reaped": reaped, "files_removed": removed}


def plan_import_execute(import_id: int) -> PlanImport:
    """Parse a stored upload and save the draft plan. Safe to run twice: a finished import is left alone."""
    from luoshi.plans.parser import ParseError

    imp = PlanImport.objects.select_related("region", "previous", "created_by").get(pk=import_id)
    if imp.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return imp
    PlanImport.objects.filter(pk=imp.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now())
    _progress(imp, 15, "正在读取并解析文档")
    path = Path(settings.FILES_DIR) / imp.stored_path
    try:
        result = _parse(path, year=imp.year, region=imp.region)
    except ParseError as exc:
        plan_import_fail(imp.pk, _parse_error_message(exc), _parse_error_details(exc))
        imp.refresh_from_db()
        return imp
    _progress(imp, 60, "正在对照组织机构库识别责任单位")
    names = [n for m in result.measures for n in (*m.lead_units, *m.co_units)]
    resolved = _resolve(names, imp.region)
    _progress(imp, 80, "正在保存任务清单")
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=imp.pk)
        if locked.status == ImportStatus.DONE:
            return locked
        plan = _save_plan(imp, result, resolved)
        PlanImport.objects.filter(pk=imp.pk).update(
            status=ImportStatus.DONE, plan=plan, progress=100, stage="解析完成", finished_at=timezone.now()
        )
    imp.refresh_from_db()
    return imp


def _parse(path: Path, *, year: int | None, region: Region) -> Any:
    """Run the parser on a stored upload; a ledger .xlsx comes back as the same ParseResult."""
    from luoshi.core.sandbox import ResourceLimitExceeded, ResourceLimits, run_bounded
    from luoshi.plans.parser import ParseError, parse_file

    limits = ResourceLimits(
        memory_bytes=int(getattr(settings, "LUOSHI_PARSE_MEMORY_MB", 1024)) * 1024 * 1024,
        cpu_seconds=int(getattr(settings, "LUOSHI_PARSE_CPU_SECONDS", 120)),
        wall_seconds=float(getattr(settings, "LUOSHI_PARSE_WALL_SECONDS", 180)),
    )
    try:  # in a child process with memory and CPU limits: a hostile file costs the limits, never the server
        return run_bounded(
            parse_file,
            path,
            limits=limits,
            year=year,
            region=region.name,
            max_bytes=int(settings.LUOSHI_MAX_UPLOAD_BYTES),
            unit_candidates=_unit_candidates(region),
        )
    except ResourceLimitExceeded as exc:
        raise ParseError(exc.message, code=exc.code) from None


def _reasons(m: Any, text: str) -> list[dict[str, Any]]:
    """The parser's reasons for a measure's readings, with the passage each was read from (for 为什么)."""
    out = []
    for r in getattr(m, "reasons", None) or []:
        d = r.to_dict()
        a, b = d["span"] or (0, 0)
        d["quote"] = " ".join(text[a:b].split())[:60] if b > a else ""
        out.append(d)
    return out


def _unit_candidates(region: Region) -> list[str]:
    """The names a plan of `region` would write its units with: the region's aliases (市发改委), else full names.
    The parser ranks its lead-unit suggestions among these."""
    from luoshi.orgs.models import UnitAlias, UnitKind

    units = Unit.objects.filter(region=region, is_active=True).exclude(kind=UnitKind.COLLECTIVE)
    aliases = dict(UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "alias").order_by("-id"))
    names = units.values_list("pk", "name")
    return [aliases.get(pk, name) for pk, name in names]


def _parse_error_message(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return message or "无法读取该文件,请确认文件完整且为方案原文后重试。"


def _parse_error_details(exc: Exception) -> list[dict[str, Any]]:
    details = getattr(exc, "details", None)
    return list(details) if isinstance(details, list) else []


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def _target_dict(target: Any) -> dict[str, Any]:
    raw = _jsonable(target)
    if not isinstance(raw, dict):
        return {"metric": str(target), "value": None, "unit": "", "op": "", "implicit": False}
    return {
        "metric": raw.get("metric") or "",
        "value": raw.get("value"),
        "unit": raw.get("unit") or "",
        "op": raw.get("op") or "",
        "implicit": bool(raw.get("implicit")),
    }


def _suggestions(measure: Any) -> list[dict[str, Any]]:
    out = []
    for item in getattr(measure, "suggested_units", None) or []:
        name, score = (item[0], item[1]) if isinstance(item, list | tuple) else (str(item), None)
        out.append({"name": name, "score": round(float(score), 3) if score is not None else None})
    return out


def _save_plan(imp: PlanImport, result: Any, resolved: Mapping[str, Mapping[str, Any]]) -> Plan:
    previous = imp.previous
    kind = result.kind if result.kind in PlanKind.values else PlanKind.PLAN
    title = (result.title or Path(imp.source_name).stem or "未命名方案")[:300]
    plan = Plan.objects.create(
        region=imp.region,
        title=title,
        kind=kind,
        year=imp.year or result.year,
        issuer=(result.issuer or "")[:200],
        doc_number=(getattr(result, "doc_number", "") or "")[:100],
        issued_on=result.issued_on,
        source_name=imp.source_name,
        source_sha256=imp.source_sha256,
        source_text=result.text or "",
        summary=_jsonable(
            {
                "facts": getattr(result, "facts", None) or {},
                "responsibilities": getattr(result, "responsibilities", None) or [],
                "warnings": getattr(result, "warnings", None) or [],
            }
        ),
        revision=previous.revision + 1 if previous else 1,
        previous=previous,
        created_by=imp.created_by,
    )
    measures: list[Measure] = []
    for seq, m in enumerate(result.measures, start=1):
        lead, co = list(m.lead_units or []), list(m.co_units or [])
        links = _links(lead, co, resolved)
        span = getattr(m, "span", None) or (None, None)
        measures.append(
            Measure(
                plan=plan,
                seq=seq,
                path=list(m.path or []),
                title=strip_controls(m.title or "")[:300],  # a document's \x0b would break every export later
                text=strip_controls(m.text or ""),
                lead_units_text=lead,
                co_units_text=co,
                unit_links=links,
                unresolved_units=_unresolved(links),
                suggested_units=_suggestions(m),
                deadline=m.deadline,
                deadline_phrase=(m.deadline_phrase or "")[:200],
                ongoing=bool(m.ongoing),
                phases=_jsonable(list(m.phases or [])),
                targets=[_target_dict(t) for t in (m.targets or [])],
                span_start=span[0],
                span_end=span[1],
                reasons=_reasons(m, result.text or ""),
            )
        )
    Measure.objects.bulk_create(measures)
    lead_rows: list[Any] = []
    co_rows: list[Any] = []
    for measure in measures:
        for link in measure.unit_links:
            if link["status"] != "resolved":
                continue
            row_model = Measure.lead_units.through if link["role"] == "lead" else Measure.co_units.through
            rows = lead_rows if link["role"] == "lead" else co_rows
            rows.append(row_model(measure_id=measure.pk, unit_id=link["unit"]))
    Measure.lead_units.through.objects.bulk_create(lead_rows, ignore_conflicts=True)
    Measure.co_units.through.objects.bulk_create(co_rows, ignore_conflicts=True)
    record(
        actor=imp.created_by,
        action=PlanEvent.IMPORTED,
        subject=plan,
        after={
            "source_name": imp.source_name,
            "source_sha256": imp.source_sha256,
            "kind": plan.kind,
            "measures": len(measures),
            "unresolved_units": sorted({n for m in measures for n in m.unresolved_units}),
            "revision": plan.revision,
            "previous": previous.pk if previous else None,
        },
    )
    return plan


# --- review edits ------------------------------------------------------------------------------------------


def _lock_plan(plan: Plan, actor: User | None, action: str) -> Plan:
    locked = Plan.objects.select_for_update(of=("self",)).select_related("region").filter(pk=plan.pk).first()
    if locked is None:
        raise NotFound("该方案不存在或已被删除。", code=PlanError.PLAN_NOT_FOUND)
    _require_admin(actor, locked.region, action)
    _require_draft(locked)
    return locked


def _lock_measure(measure: Measure, actor: User | None, version: int, action: str) -> tuple[Plan, Measure]:
    plan = _lock_plan(measure.plan, actor, action)
    locked = Measure.objects.select_for_update().filter(pk=measure.pk, plan=plan).first()
    if locked is None:
        raise NotFound("该举措不存在或已被删除,请刷新页面。", code=PlanError.MEASURE_NOT_FOUND)
    if locked.version != version:
        raise Conflict(f"第{locked.seq}条举措已被他人修改,请刷新页面查看最新内容后再操作。", code=PlanError.MEASURE_EDITED_ELSEWHERE)
    return plan, locked


def _bump_plan(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1)


def _clean_names(value: Any, label: str) -> list[str]:
    if isinstance(value, str):
        value = [v for part in value.replace(",", "、").replace(",", "、").split("、") for v in [part]]
    if not isinstance(value, list | tuple):
        raise ValidationFailed(f"{label}格式不正确,请用顿号分隔单位名称。", code=PlanError.UNIT_NAMES_INVALID)
    names = [str(v).strip() for v in value]
    names = [n for n in names if n]
    for n in names:
        if len(n) > 100:
            raise ValidationFailed(f"{label}“{n[:20]}…”过长,请填写单位名称。", code=PlanError.UNIT_NAMES_INVALID)
    return list(dict.fromkeys(names))


def _clean_targets(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise ValidationFailed("量化目标格式不正确。", code=PlanError.TARGETS_INVALID)
    out = []
    for item in value:
        if not isinstance(item, Mapping) or not str(item.get("metric") or "").strip():
            raise ValidationFailed("每个量化目标都需要填写指标名称。", code=PlanError.TARGETS_INVALID)
        raw_value = item.get("value")
        number: float | None
        try:
            number = float(raw_value) if raw_value not in (None, "") else None
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(f"量化目标“{item.get('metric')}”的数值“{raw_value}”不是数字。", code=PlanError.TARGETS_INVALID) from exc
        out.append(
            {
                "metric": str(item["metric"]).strip()[:100],
                "value": int(number) if number is not None and number.is_integer() else number,
                "unit": str(item.get("unit") or "").strip()[:20],
                "op": str(item.get("op") or "").strip()[:10],
                "implicit": bool(item.get("implicit")),
            }
        )
    return out


def _clean_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段:{'、'.join(sorted(unknown))}。", code=PlanError.FIELD_NOT_EDITABLE)
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "text":
            text = str(value or "").strip()
            if not text:
                raise ValidationFailed("举措内容不能为空;如该条不是举措,请删除它。", code=PlanError.MEASURE_TEXT_MISSING)
            out[key] = text
        elif key == "title":
            out[key] = str(value or "").strip()[:300]
        elif key == "deadline_phrase":
            out[key] = str(value or "").strip()[:200]
        elif key in ("lead_units_text", "co_units_text"):
            out[key] = _clean_names(value, "牵头单位" if key == "lead_units_text" else "责任单位")
        elif key == "deadline":
            if value in (None, ""):
                out[key] = None
            elif isinstance(value, dt.date):
                out[key] = value
            else:
                try:
                    out[key] = dt.date.fromisoformat(str(value))
                except ValueError as exc:
                    raise ValidationFailed(
                        f"完成时限“{value}”不是有效日期,请按 2025-06-30 的格式填写。",
                        code=PlanError.DUE_INVALID,
                    ) from exc
        elif key == "ongoing":
            out[key] = bool(value)
        elif key == "targets":
            out[key] = _clean_targets(value)
    if out.get("ongoing") and out.get("deadline"):
        raise ValidationFailed("“长期坚持”的举措不设完成时限,请二选一。", code=PlanError.STANDING_WITH_DUE)
    return out


@guard_text
@transaction.atomic
def measure_update(
    *, measure: Measure, actor: User | None, version: int, changes: Mapping[str, Any]
) -> Measure:
    """Edit a measure of a draft plan: text, title, units as written (re-resolved against the directory),
    deadline, targets."""
    plan, m = _lock_measure(measure, actor, version, "修改举措")
    cleaned = _clean_changes(changes)
    before = snapshot(m, MEASURE_AUDIT_FIELDS)
    for key, value in cleaned.items():
        setattr(m, key, value)
    if cleaned.get("deadline"):
        m.ongoing = False
    if "lead_units_text" in cleaned or "co_units_text" in cleaned:
        resolved = _resolve([*m.lead_units_text, *m.co_units_text], plan.region)
        m.unit_links = _links(m.lead_units_text, m.co_units_text, resolved, keep=m.unit_links)
        m.unresolved_units = _unresolved(m.unit_links)
        _sync_unit_relations(m)
    m.version = version + 1
    m.save()
    _bump_plan(plan)
    after = snapshot(m, MEASURE_AUDIT_FIELDS)
    from luoshi.audit.services import changed_fields

    b, a = changed_fields(before, after)
    record(actor=actor, action=PlanEvent.MEASURE_UPDATED, subject=m, before=b, after=a)
    return m


def _shift_after(plan: Plan, seq: int, by: int) -> None:
    """Move every measure after `seq` by `by` places, in two steps so the unique (plan, seq) never collides."""
    Measure.objects.filter(plan=plan, seq__gt=seq, seq__lt=_SEQ_OFFSET).update(seq=F("seq") + _SEQ_OFFSET)
    Measure.objects.filter(plan=plan, seq__gte=_SEQ_OFFSET).update(seq=F("seq") - _SEQ_OFFSET + by)


def _split_span(plan: Plan, m: Measure, right: str) -> tuple[int | None, int | None, int | None, int | None]:
    start, end = m.span_start, m.span_end
    if start is None or end is None:
        return start, end, start, end
    probe = right[:12]
    pos = plan.source_text.find(probe, start, end) if probe else -1
    if pos <= start:
        return start, end, start, end
    return start, pos, pos, end


@transaction.atomic
def measure_split(*, measure: Measure, actor: User | None, version: int, at: int) -> tuple[Measure, Measure]:
    """Split a measure in two at a character offset of its text; both halves keep the headings, units and
    deadline, and each quantitative target goes with the half that names it."""
    plan, m = _lock_measure(measure, actor, version, "拆分举措")
    left, right = m.text[:at].rstrip(), m.text[at:].lstrip()
    if not 0 < at < len(m.text) or not left or not right:
        raise ValidationFailed("拆分位置不正确:请在举措内容中间选择拆分点,两部分都不能为空。", code=PlanError.SPLIT_POINT_INVALID)
    before = snapshot(m, MEASURE_AUDIT_FIELDS)
    left_targets = [
        t for t in m.targets if not (t.get("metric") and t["metric"] not in left and t["metric"] in right)
    ]
    right_targets = [t for t in m.targets if t not in left_targets]
    l_start, l_end, r_start, r_end = _split_span(plan, m, right)
    _shift_after(plan, m.seq, 1)
    new = Measure.objects.create(
        plan=plan,
        seq=m.seq + 1,
        path=m.path,
        title="",
        text=right,
        lead_units_text=m.lead_units_text,
        co_units_text=m.co_units_text,
        unit_links=m.unit_links,
        unresolved_units=m.unresolved_units,
        suggested_units=m.suggested_units,
        deadline=m.deadline,
        deadline_phrase=m.deadline_phrase,
        ongoing=m.ongoing,
        phases=m.phases,
        targets=right_targets,
        span_start=r_start,
        span_end=r_end,
    )
    _sync_unit_relations(new)
    m.text, m.targets, m.span_start, m.span_end = left, left_targets, l_start, l_end
    m.version = version + 1
    m.save(update_fields=["text", "targets", "span_start", "span_end", "version"])
    _bump_plan(plan)
    record(
        actor=actor,
        action=PlanEvent.MEASURE_SPLIT,
        subject=m,
        before=before,
        after={"text": left, "new_measure": new.pk, "new_seq": new.seq, "new_text": right},
    )
    record(
        actor=actor,
        action=PlanEvent.MEASURE_CREATED,
        subject=new,
        after=snapshot(new, MEASURE_AUDIT_FIELDS),
        reason=f"由第{m.seq}条拆分",
    )
    return m, new


def _union(a: Sequence[Any], b: Sequence[Any]) -> list[Any]:
    out = list(a)
    for item in b:
        if item not in out:
            out.append(item)
    return out


@transaction.atomic
def measure_merge(*, measure: Measure, actor: User | None, version: int) -> Measure:
    """Merge a measure with the one after it: texts joined, units and targets united, the later deadline kept."""
    plan, m = _lock_measure(measure, actor, version, "合并举措")
    nxt = Measure.objects.select_for_update().filter(plan=plan, seq__gt=m.seq).order_by("seq").first()
    if nxt is None:
        raise ValidationFailed(f"第{m.seq}条已是最后一条举措,没有可合并的下一条。", code=PlanError.NOTHING_TO_MERGE)
    before = snapshot(m, MEASURE_AUDIT_FIELDS)
    removed = snapshot(nxt, MEASURE_AUDIT_FIELDS)
    m.text = m.text + nxt.text
    m.title = m.title or nxt.title
    m.lead_units_text = _union(m.lead_units_text, nxt.lead_units_text)
    m.co_units_text = _union(m.co_units_text, nxt.co_units_text)
    m.unit_links = _union(
        m.unit_links,
        [
            x
            for x in nxt.unit_links
            if (x["name"], x["role"]) not in {(y["name"], y["role"]) for y in m.unit_links}
        ],
    )
    m.unresolved_units = _unresolved(m.unit_links)
    deadlines = [d for d in (m.deadline, nxt.deadline) if d]
    m.deadline = max(deadlines) if deadlines else None
    m.deadline_phrase = "；".join(
        _union(
            [m.deadline_phrase] if m.deadline_phrase else [],
            [nxt.deadline_phrase] if nxt.deadline_phrase else [],
        )
    )[:200]
    m.ongoing = m.deadline is None and (m.ongoing or nxt.ongoing)
    m.phases = _union(m.phases, nxt.phases)
    m.targets = _union(m.targets, nxt.targets)
    starts = [s for s in (m.span_start, nxt.span_start) if s is not None]
    ends = [e for e in (m.span_end, nxt.span_end) if e is not None]
    m.span_start, m.span_end = (min(starts) if starts else None), (max(ends) if ends else None)
    m.version = version + 1
    record(
        actor=actor, action=PlanEvent.MEASURE_DELETED, subject=nxt, before=removed, reason=f"并入第{m.seq}条"
    )
    gone_seq = nxt.seq
    nxt.delete()
    m.save()
    _sync_unit_relations(m)
    _shift_after(plan, gone_seq, -1)
    _bump_plan(plan)
    record(
        actor=actor,
        action=PlanEvent.MEASURE_MERGED,
        subject=m,
        before=before,
        after=snapshot(m, MEASURE_AUDIT_FIELDS),
        reason=f"合并了原第{gone_seq}条",
    )
    return m


@transaction.atomic
def measure_delete(*, measure: Measure, actor: User | None, version: int) -> None:
    """Remove a passage the parser took for a measure (a goal, a safeguard ...); later measures move up."""
    plan, m = _lock_measure(measure, actor, version, "删除举措")
    record(actor=actor, action=PlanEvent.MEASURE_DELETED, subject=m, before=snapshot(m, MEASURE_AUDIT_FIELDS))
    seq = m.seq
    m.delete()
    _shift_after(plan, seq, -1)
    _bump_plan(plan)


def _unit_in_reach(unit: Unit, region: Region) -> bool:
    """A plan may name units of its own region, of the regions below it, or of the regions above it
    (a city plan names provincial and central units stationed there)."""
    return region_contains(region, unit.region) or region_contains(unit.region, region)


@guard_text
@transaction.atomic
def measure_assign_unit(
    *, measure: Measure, actor: User | None, version: int, name: str, unit: Unit, role: str | None = None
) -> Measure:
    """Say which directory unit a name as written means (an ambiguous or unknown name, or a correction)."""
    plan, m = _lock_measure(measure, actor, version, "指定责任单位")
    if not unit.is_active or not _unit_in_reach(unit, plan.region):
        raise ValidationFailed(f"“{unit.name}”不在本方案所属区域的组织机构库中,请选择其他单位。", code=PlanError.UNIT_OUTSIDE_REGION)
    links = [dict(link) for link in m.unit_links]
    hits = [link for link in links if link["name"] == name and (role is None or link["role"] == role)]
    if not hits:
        raise ValidationFailed(f"第{m.seq}条举措中没有单位“{name}”,请刷新页面后重试。", code=PlanError.UNIT_NAME_UNKNOWN)
    before = {"unit_links": m.unit_links}
    for link in hits:
        link.update(status="resolved", unit=unit.pk, unit_name=unit.name, picked=True)
    m.unit_links = links
    m.unresolved_units = _unresolved(links)
    m.version = version + 1
    m.save(update_fields=["unit_links", "unresolved_units", "version"])
    _sync_unit_relations(m)
    _bump_plan(plan)
    record(
        actor=actor,
        action=PlanEvent.MEASURE_UNIT_ASSIGNED,
        subject=m,
        before=before,
        after={"unit_links": links},
        reason=f"“{name}” → {unit.name}",
    )
    return m


@guard_text
@transaction.atomic
def plan_confirm_unit(*, plan: Plan, name: str, actor: User | None, full_name: str | None = None) -> Unit:
    """Add a unit the directory does not know yet (kept unverified for the directory's administrator) and
    resolve every measure of the plan that names it."""
    from luoshi.directory.services import unit_confirm_from_name

    p = _lock_plan(plan, actor, "确认新单位")
    name = name.strip()
    measures = [
        m
        for m in Measure.objects.select_for_update().filter(plan=p)
        if any(link["name"] == name and link["status"] != "resolved" for link in m.unit_links)
    ]
    if not measures:
        raise ValidationFailed(f"本方案中没有待确认的单位“{name}”,请刷新页面后重试。", code=PlanError.UNIT_NAME_UNKNOWN)
    unit = unit_confirm_from_name(name, p.region, actor, full_name=(full_name or "").strip() or None)
    for m in measures:
        links = [dict(link) for link in m.unit_links]
        for link in links:
            if link["name"] == name and link["status"] != "resolved":
                link.update(status="resolved", unit=unit.pk, unit_name=unit.name, picked=False, candidates=[])
        m.unit_links = links
        m.unresolved_units = _unresolved(links)
        m.version = F("version") + 1
        m.save(update_fields=["unit_links", "unresolved_units", "version"])
        _sync_unit_relations(m)
    _bump_plan(p)
    record(
        actor=actor,
        action=PlanEvent.UNIT_CONFIRMED,
        subject=p,
        after={"name": name, "unit": unit.pk, "unit_name": unit.name, "measures": [m.seq for m in measures]},
    )
    return unit


@transaction.atomic
def plan_resolve_units(*, plan: Plan, actor: User | None) -> int:
    """Resolve again every name still unresolved (after the directory gained units or aliases). Returns how many
    names are now resolved."""
    p = _lock_plan(plan, actor, "重新识别单位")
    measures = list(Measure.objects.select_for_update().filter(plan=p).exclude(unresolved_units=[]))
    resolved = _resolve([n for m in measures for n in m.unresolved_units], p.region)
    fixed = 0
    for m in measures:
        links = [dict(link) for link in m.unit_links]
        changed = False
        for link in links:
            res = resolved.get(link["name"])
            if link["status"] != "resolved" and res and res["status"] != link["status"]:
                link.update(res)
                changed = True
                fixed += res["status"] == "resolved"
        if changed:
            m.unit_links = links
            m.unresolved_units = _unresolved(links)
            m.version = F("version") + 1
            m.save(update_fields=["unit_links", "unresolved_units", "version"])
            _sync_unit_relations(m)
    if fixed:
        _bump_plan(p)
        record(actor=actor, action=PlanEvent.UNITS_RESOLVED, subject=p, after={"resolved": fixed})
    return fixed


# --- dead tasks: measures with no deadline, no unit -----------------------------------------------------------

_YEAR_RANGE = re.compile(r"(20\d{2})\s*(?:年)?\s*[-—–~～至到]+\s*(20\d{2})\s*年")


def plan_period_end(plan: Plan) -> dt.date | None:
    """The end of the plan's period, the default completion date of a measure that names none: a multi-year plan
    ("2024—2026年") ends on 31 December of its last year, an annual plan on 31 December of its year."""
    match = _YEAR_RANGE.search(plan.title or "")
    if match and int(match.group(2)) >= int(match.group(1)):
        return dt.date(int(match.group(2)), 12, 31)
    if plan.year:
        return dt.date(plan.year, 12, 31)
    return None


def undated_measures(plan: Plan) -> list[Measure]:
    """Measures with neither a completion date nor a confirmed 长期坚持: they would be tasks nobody can close."""
    return list(plan.measures.filter(deadline__isnull=True, ongoing=False).order_by("seq"))


def unassigned_measures(plan: Plan) -> list[Measure]:
    """Measures naming no responsible unit (neither written nor picked in review)."""
    return [
        m
        for m in plan.measures.prefetch_related("lead_units", "co_units").order_by("seq")
        if not m.lead_units.all() and not m.co_units.all()
    ]


def _period_phrase(plan: Plan, end: dt.date) -> str:
    return f"未写明时限,按方案期限({end.year}年底)"


def measure_apply_period_default(*, measure: Measure, actor: User | None, version: int) -> Measure:
    """Give one undated measure the plan-period default as its completion date (audited as a measure edit)."""
    end = plan_period_end(measure.plan)
    if end is None:
        raise ValidationFailed("该方案未写明年度,无法按方案期限设置完成时限;请先在方案信息中填写方案年度。", code=PlanError.PLAN_YEAR_MISSING)
    return measure_update(
        measure=measure,
        actor=actor,
        version=version,
        changes={"deadline": end, "deadline_phrase": _period_phrase(measure.plan, end), "ongoing": False},
    )


def measure_confirm_ongoing(*, measure: Measure, actor: User | None, version: int) -> Measure:
    """Confirm an undated measure as 长期坚持: reported every cycle, judged per cycle, never signed off."""
    return measure_update(
        measure=measure, actor=actor, version=version, changes={"ongoing": True, "deadline": None}
    )


@transaction.atomic
def plan_apply_period_default(*, plan: Plan, actor: User | None) -> int:
    """The plan-period default for every undated measure at once; returns how many were dated."""
    locked = _lock_plan(plan, actor, "设置默认完成时限")
    end = plan_period_end(locked)
    if end is None:
        raise ValidationFailed("该方案未写明年度,无法按方案期限设置完成时限;请先在方案信息中填写方案年度。", code=PlanError.PLAN_YEAR_MISSING)
    n = 0
    for m in undated_measures(locked):
        measure_update(
            measure=m,
            actor=actor,
            version=m.version,
            changes={"deadline": end, "deadline_phrase": _period_phrase(locked, end), "ongoing": False},
        )
        n += 1
    return n


PLAN_DETAIL_FIELDS = ("title", "year", "doc_number", "issuer")


@guard_text
@transaction.atomic
def plan_update_details(*, plan: Plan, actor: User | None, version: int, changes: Mapping[str, Any]) -> Plan:
    """Edit the plan's own title, year, 文号 and issuing body after import (draft or published), audited."""
    p = Plan.objects.select_for_update(of=("self",)).select_related("region").filter(pk=plan.pk).first()
    if p is None:
        raise NotFound("该方案不存在或已被删除。", code=PlanError.PLAN_NOT_FOUND)
    _require_admin(actor, p.region, "修改方案信息")
    if p.status == PlanStatus.ARCHIVED:
        raise InvalidTransition("该方案已归档(被新版本取代),不能再修改方案信息。", code=PlanError.PLAN_ARCHIVED)
    if p.version != version:
        raise Conflict("该方案在您查看后已被修改,请刷新页面后再修改方案信息。", code=PlanError.PLAN_EDITED_ELSEWHERE)
    unknown = set(changes) - set(PLAN_DETAIL_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段:{'、'.join(sorted(unknown))}。", code=PlanError.FIELD_NOT_EDITABLE)
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        text = str(value if value is not None else "").strip()
        if key == "title":
            if not text:
                raise ValidationFailed("方案名称不能为空,请填写方案正文的标题(如“…行动方案(2026年)”)。", code=PlanError.TITLE_MISSING)
            cleaned[key] = text[:300]
        elif key == "year":
            if not text:
                cleaned[key] = None
            else:
                try:
                    year = int(text)
                except ValueError as exc:
                    raise ValidationFailed(f"方案年度“{text}”不是年份,请填写四位数字,如 2026。", code=PlanError.YEAR_INVALID) from exc
                if not 2000 <= year <= 2100:
                    raise ValidationFailed(f"方案年度“{text}”超出范围,请填写 2000 至 2100 之间的年份。", code=PlanError.YEAR_INVALID)
                cleaned[key] = year
        elif key == "doc_number":
            cleaned[key] = text[:100]
        elif key == "issuer":
            cleaned[key] = text[:200]
    before = snapshot(p, list(cleaned))
    for key, value in cleaned.items():
        setattr(p, key, value)
    p.version = version + 1
    p.save(update_fields=[*cleaned, "version"])
    from luoshi.audit.services import changed_fields

    b, a = changed_fields(before, snapshot(p, list(cleaned)))
    if a:
        record(actor=actor, action=PlanEvent.DETAILS_UPDATED, subject=p, before=b, after=a)
    return p


# --- publish -----------------------------------------------------------------------------------------------


def publish_blockers(plan: Plan) -> list[dict[str, Any]]:
    """Why the plan cannot be published yet: one entry per unit name still unresolved, as {seq, name, status}."""
    out = []
    for m in plan.measures.order_by("seq").only("seq", "unit_links"):
        for link in m.unit_links:
            if link["status"] != "resolved":
                out.append({"seq": m.seq, "name": link["name"], "status": link["status"]})
    return out


@transaction.atomic
def plan_publish(
    plan: Plan, *, actor: User | None, version: int | None = None, confirm_unassigned: bool = False
) -> Plan:
    """Publish a reviewed draft: its measures become supervised tasks. A revision replaces (archives) the
    version it revises. Refused while a measure has neither a completion date nor a confirmed 长期坚持; a plan
    with measures naming no unit publishes only with `confirm_unassigned` (the office assigns them later on the
    task page)."""
    p = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("region", "previous")
        .filter(pk=plan.pk)
        .first()
    )
    if p is None:
        raise NotFound("该方案不存在或已被删除。", code=PlanError.PLAN_NOT_FOUND)
    _require_admin(actor, p.region, "发布行动方案")
    if expected_or_current(version, p.version) != p.version:
        raise Conflict("该方案在您查看后已被修改,请刷新页面确认最新内容后再发布。", code=PlanError.PLAN_EDITED_ELSEWHERE)
    if p.status != PlanStatus.DRAFT:
        raise InvalidTransition(
            f"《{p.title}》当前状态为“{p.get_status_display()}”,只有待审核的方案可以发布。",
            code=PlanError.NOT_PENDING_REVIEW,
        )
    if p.kind != PlanKind.PLAN:
        raise InvalidTransition(
            f"该文件是{p.get_kind_display()},只陈述方案内容,没有可督办的举措,不能发布为任务。请导入方案原文。",
            code=PlanError.NOT_A_PLAN,
        )
    if not p.measures.exists():
        raise InvalidTransition("该方案没有举措,不能发布。请检查导入的文件是否为方案正文。", code=PlanError.NO_MEASURES)
    blockers = publish_blockers(p)
    if blockers:
        first = blockers[0]
        raise InvalidTransition(
            f"还有 {len(blockers)} 个责任单位未确认(如第{first['seq']}条的“{first['name']}”)。"
            "请在审核页为其指定机构库中的单位,或确认为新单位后再发布。",
            details=[{"row": b["seq"], "column": "责任单位", "message": b["name"]} for b in blockers],
            code=PlanError.UNITS_UNCONFIRMED,
        )
    undated = undated_measures(p)
    if undated:
        end = plan_period_end(p)
        hint = f"可一键按方案期限设为{end:%Y年%m月%d日}," if end else ""
        raise InvalidTransition(
            f"{len(undated)} 条举措未写明完成时限(如第{undated[0].seq}条)。"
            f"请为每条填写完成时限,{hint}或确认为“长期坚持”后再发布。",
            details=[{"row": m.seq, "column": "完成时限", "message": "未写明完成时限"} for m in undated],
            code=PlanError.MEASURES_UNDATED,
        )
    unassigned = unassigned_measures(p)
    if unassigned and not confirm_unassigned:
        raise InvalidTransition(
            f"{len(unassigned)} 条举措未指定责任单位(如第{unassigned[0].seq}条),发布后这些任务暂无人承办。"
            "请确认后再发布,并在发布后到任务页指定责任单位。",
            details=[{"row": m.seq, "column": "责任单位", "message": "未指定责任单位"} for m in unassigned],
            code=PlanError.MEASURES_UNASSIGNED,
        )
    now = timezone.now()
    Plan.objects.filter(pk=p.pk).update(
        status=PlanStatus.PUBLISHED, published_at=now, version=F("version") + 1
    )
    previous = p.previous
    if previous is not None and previous.status == PlanStatus.PUBLISHED:
        Plan.objects.filter(pk=previous.pk).update(status=PlanStatus.ARCHIVED, version=F("version") + 1)
        record(
            actor=actor,
            action=PlanEvent.ARCHIVED,
            subject=previous,
            before={"status": PlanStatus.PUBLISHED},
            after={"status": PlanStatus.ARCHIVED},
            reason=f"被第{p.revision}版取代",
        )
    p.refresh_from_db()
    tasks = hooks.emit_plan_published(plan=p, actor=actor)  # supervision makes the tasks
    record(
        actor=actor,
        action=PlanEvent.PUBLISHED,
        subject=p,
        before={"status": PlanStatus.DRAFT},
        after={"status": PlanStatus.PUBLISHED, "measures": p.measures.count(), "tasks": len(tasks)},
    )
    return p
