"""Every change to policies goes through one function here: it checks permission, validates with the engine, saves in
one transaction, writes the audit trail and notifies. Pages, the API, the CLI and jobs all call these."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.audit import services as audit
from luoshi.core.errors import InvalidTransition, NotFound, ValidationFailed
from luoshi.orgs.credit_code import credit_code_problem, normalise_credit_code
from luoshi.orgs.models import Enterprise, Region, Unit
from luoshi.policies import access
from luoshi.policies.engine.allocate import allocate
from luoshi.policies.engine.columnar import Evaluation, bits_to_rows
from luoshi.policies.engine.formula import FormulaError, formula_fields
from luoshi.policies.engine.params import Parameter as EngineParameter
from luoshi.policies.engine.params import ParameterError, ParameterSet
from luoshi.policies.engine.profile import ItemOutcome, Profile, Provenance, Status, evaluate_item, explain
from luoshi.policies.engine.rulebook import CaseResult, RuleBook, run_cases
from luoshi.policies.engine.rules import Benefit, Item, RuleError, parse_item
from luoshi.policies.engine.schema import FIELDS, FieldKind
from luoshi.policies.engine.size import classify
from luoshi.policies.engine.table import FirmTable
from luoshi.policies.errors import PolicyError
from luoshi.policies.events import PolicyEvent
from luoshi.policies.models import (
    BatchStatus,
    EnterpriseProfile,
    Feedback,
    Mode,
    Parameter,
    PayoutBatch,
    PayoutState,
    Policy,
    PolicyItem,
    PolicyLevel,
    Push,
    PushKind,
    RuleStatus,
    RuleVersion,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENTS = Decimal("0.01")


def today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENTS, ROUND_HALF_UP)


# -- engine glue ------------------------------------------------------------------------------------------------------


def parameter_set() -> ParameterSet:
    params = ParameterSet()
    for p in Parameter.objects.all():
        try:
            params.add(EngineParameter.from_data(p.name, {"label": p.label, "unit": p.unit, "values": p.values,
                                                         "reference": p.reference}))
        except ParameterError as exc:
            raise ValidationFailed(str(exc), code=PolicyError.PARAMETER_INVALID) from None
    return params


def engine_item(item: PolicyItem, version: RuleVersion, params: ParameterSet | None = None) -> Item:
    """The engine's view of an item with one rule version (benefit, group, quota and budget from the item)."""
    data: dict[str, Any] = {
        "code": item.code, "title": item.title, "clause": item.clause, "rule": version.rule,
        "benefit": _benefit_data(item), "exclusive_group": item.exclusive_group, "tests": version.cases or [],
    }
    if item.quota is not None:
        data["quota"] = item.quota
    if item.budget is not None:
        data["budget"] = float(item.budget)
    try:
        return parse_item(data, params=params)
    except RuleError as exc:
        raise ValidationFailed(str(exc), code=PolicyError.ITEM_RULE_INVALID) from None


def _benefit_data(item: PolicyItem) -> dict[str, Any]:
    return Benefit(
        None if item.benefit_fixed is None else float(item.benefit_fixed), item.benefit_formula,
        None if item.benefit_cap is None else float(item.benefit_cap),
    ).to_data()


def engine_profile(profile: EnterpriseProfile | None) -> Profile:
    if profile is None:
        return Profile()
    values = Profile.from_data(profile.data).values
    prov = {}
    for name, raw in (profile.provenance or {}).items():
        if name in FIELDS:
            as_of = raw.get("as_of")
            prov[name] = Provenance(str(raw.get("source") or ""), dt.date.fromisoformat(as_of) if as_of else None,
                                    bool(raw.get("authoritative")))
    return Profile(values, prov)


@dataclass
class _Cached:
    key: tuple[Any, ...]
    table: FirmTable
    evaluation: Evaluation
    items: list[PolicyItem]


_cache_lock = threading.Lock()
_cache: dict[str, _Cached] = {}


def _table_key() -> tuple[Any, ...]:
    agg = EnterpriseProfile.objects.aggregate(n=Max("id"), t=Max("updated_at"))
    return (EnterpriseProfile.objects.count(), agg["n"], agg["t"])


def firm_table() -> FirmTable:
    rows = list(EnterpriseProfile.objects.select_related("enterprise").order_by("enterprise_id"))
    return FirmTable.from_profiles([(p.enterprise_id, engine_profile(p)) for p in rows])


def published_evaluation(on: dt.date | None = None) -> tuple[Evaluation, list[PolicyItem]]:
    """Every published item for every profiled firm, cached until a profile or a published version changes."""
    on = on or today()
    items = list(PolicyItem.objects.filter(published_version__isnull=False)
                 .select_related("published_version", "policy", "department").order_by("code"))
    key = (_table_key(), tuple((i.pk, i.published_version_id) for i in items), on,
           tuple(Parameter.objects.values_list("name", "values")))
    with _cache_lock:
        cached = _cache.get("published")
        if cached is not None and cached.key == key:
            return cached.evaluation, cached.items
    params = parameter_set()
    table = firm_table()
    assert all(i.published_version is not None for i in items)
    engine_items = [engine_item(i, i.published_version, params) for i in items]  # type: ignore[arg-type]
    ev = Evaluation(engine_items, params, table, on)
    with _cache_lock:
        _cache["published"] = _Cached(key, table, ev, items)
    return ev, items


# -- policy library ---------------------------------------------------------------------------------------------------


POLICY_FIELDS = ("title", "issuers", "document_number", "level", "published_on", "effective_from", "expires_on",
                 "source_name", "source_text")


def _policy_state(p: Policy) -> dict[str, Any]:
    return {f: getattr(p, f) for f in POLICY_FIELDS if f != "source_text"}


@transaction.atomic
def policy_create(*, actor: User | None, region: Region, title: str, issuers: str = "", document_number: str = "",
                  level: str = PolicyLevel.CITY, published_on: dt.date | None = None,
                  effective_from: dt.date | None = None, expires_on: dt.date | None = None, source_name: str = "",
                  source_text: str = "") -> Policy:
    access.require_office(actor, "录入政策")
    access.require_region(actor, region)
    title = title.strip()
    if not title:
        raise ValidationFailed("请填写政策名称。", code=PolicyError.POLICY_NAME_MISSING)
    if level not in PolicyLevel.values:
        raise ValidationFailed(f"政策层级「{level}」无效,应为:{'、'.join(PolicyLevel.labels)}。", code=PolicyError.POLICY_LEVEL_INVALID)
    if effective_from and expires_on and expires_on < effective_from:
        raise ValidationFailed("有效期至不能早于施行日期。", code=PolicyError.VALIDITY_ORDER)
    policy = Policy.objects.create(region=region, title=title, issuers=issuers.strip(),
                                   document_number=document_number.strip(), level=level, published_on=published_on,
                                   effective_from=effective_from, expires_on=expires_on, source_name=source_name,
                                   source_text=source_text, created_by=actor)
    audit.record(actor=actor, action=PolicyEvent.POLICY_CREATED, subject=policy, after=_policy_state(policy))
    return policy


@dataclass(frozen=True)
class ReadPolicy:
    """What the plan readers found in a policy document: its text and the metadata they could detect."""

    text: str
    title: str
    document_number: str
    issuers: str
    published_on: dt.date | None


def policy_read_document(*, filename: str, data: bytes) -> ReadPolicy:
    """Read a policy file (.docx/.pdf/.html/.txt in any Chinese encoding) with the plan readers."""
    from luoshi.plans.parser import document as plan_document
    from luoshi.plans.parser.errors import ParseError
    from luoshi.plans.parser.normalize import normalize
    from luoshi.plans.parser.readers import read_bytes

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "txt"
    try:
        doc = read_bytes(data, ext, name=filename)
    except ParseError as exc:
        raise ValidationFailed(str(exc), code=PolicyError.DOCUMENT_UNREADABLE) from None
    norm = normalize(doc.text)
    issued, _ = plan_document.detect_dates(norm)
    number = re.sub(r"[((\[〔](\d{4})[))\]〕]", r"〔\1〕", plan_document.detect_doc_number(norm))  # 文号 as written
    return ReadPolicy(doc.text, plan_document.detect_title(norm), number,
                      plan_document.detect_issuer(norm, issued), issued)


def policy_import_document(*, actor: User | None, region: Region, filename: str, data: bytes,
                           level: str = PolicyLevel.CITY, **overrides: Any) -> Policy:
    read = policy_read_document(filename=filename, data=data)
    fields: dict[str, Any] = {"title": read.title or filename, "document_number": read.document_number, "issuers": read.issuers,
              "published_on": read.published_on}
    fields.update({k: v for k, v in overrides.items() if v})
    return policy_create(actor=actor, region=region, level=level, source_name=filename, source_text=read.text,
                         **fields)


ITEM_FIELDS = ("title", "mode", "payment_limit_workdays", "window_start", "window_end", "materials", "how_to_apply",
               "clause", "benefit_fixed", "benefit_formula", "benefit_cap", "exclusive_group", "quota", "budget")


@transaction.atomic
def item_save(*, actor: User | None, policy: Policy, code: str, department: Unit, item: PolicyItem | None = None,
              **fields: Any) -> PolicyItem:
    """Create or update an item (兑现事项). The rule is versioned separately (`rule_draft`)."""
    access.require_office(actor, "编辑兑现事项")
    access.require_policy_region(actor, policy)
    code = code.strip()
    if not code:
        raise ValidationFailed("请填写事项编号。", code=PolicyError.ITEM_CODE_MISSING)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知的事项字段:{'、'.join(sorted(unknown))}", code=PolicyError.ITEM_FIELD_UNKNOWN)
    if fields.get("mode", Mode.INSTANT) not in Mode.values:
        raise ValidationFailed("兑现方式无效。", code=PolicyError.MODE_INVALID)
    if fields.get("benefit_formula"):
        try:
            formula_fields(fields["benefit_formula"])
        except FormulaError as exc:
            raise ValidationFailed(str(exc), code=PolicyError.FORMULA_INVALID) from None
    if fields.get("mode") == Mode.WINDOW and not (fields.get("window_start") and fields.get("window_end")):
        raise ValidationFailed("限时享受的事项需填写申报开始和截止日期。", code=PolicyError.WINDOW_MISSING)
    if fields.get("mode") == Mode.FAST and not fields.get("payment_limit_workdays"):
        raise ValidationFailed("快申快享的事项需填写兑现时限(工作日)。", code=PolicyError.PAYMENT_LIMIT_MISSING)
    before = None
    if item is None:
        if PolicyItem.objects.filter(code=code).exists():
            raise ValidationFailed(f"事项编号「{code}」已存在。", code=PolicyError.ITEM_CODE_TAKEN)
        item = PolicyItem(policy=policy, code=code, department=department)
    else:
        item = PolicyItem.objects.select_for_update().get(pk=item.pk)
        before = {f: getattr(item, f) for f in ITEM_FIELDS}
        item.code, item.department = code, department
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    audit.record(actor=actor, action=PolicyEvent.ITEM_SAVED, subject=item, before=before,
                 after={f: getattr(item, f) for f in ITEM_FIELDS} | {"department": department.name})
    return item


@transaction.atomic
def parameter_save(*, actor: User | None, name: str, label: str, values: Mapping[str, Any], unit: str = "",
                   reference: str = "") -> Parameter:
    access.require_office(actor, "维护政策参数")
    try:
        EngineParameter.from_data(name, {"label": label, "values": dict(values)})
    except ParameterError as exc:
        raise ValidationFailed(str(exc), code=PolicyError.PARAMETER_INVALID) from None
    existing = Parameter.objects.filter(name=name).first()
    before = None if existing is None else {"values": existing.values, "label": existing.label}
    new_values = {str(k): v for k, v in values.items()}
    if (existing is not None and existing.values == new_values and existing.label == label
            and existing.unit == unit and existing.reference == reference):
        return existing  # nothing changed: no write, no audit event (the demo and imports run twice safely)
    param, _ = Parameter.objects.update_or_create(
        name=name, defaults={"label": label, "unit": unit, "values": {str(k): v for k, v in values.items()},
                             "reference": reference})
    audit.record(actor=actor, action=PolicyEvent.PARAMETER_SAVED, subject=param, before=before,
                 after={"values": param.values, "label": label})
    return param


# -- rules: draft, check, preview, publish ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleCheck:
    item: Item
    conditions: list[str]  # the tree in plain Chinese, one line per node
    cases: list[CaseResult]
    automatic_capable: bool
    automatic_note: str

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)


def rule_check(*, item: PolicyItem, rule: Any, cases: Any, on: dt.date | None = None) -> RuleCheck:
    """Parse a rule and run its cases without saving (live test results in the rule editor)."""
    params = parameter_set()
    draft = RuleVersion(item=item, number=0, rule=rule, cases=cases or [])
    engine = engine_item(item, draft, params)
    capable, note = automatic_capability(engine, item)
    return RuleCheck(engine, describe_rule(engine.rule, params, on or today()), run_cases(engine, params), capable,
                     note)


def describe_rule(node: Any, params: ParameterSet, on: dt.date, depth: int = 0) -> list[str]:
    from luoshi.policies.engine.rules import All, AnyOf, Leaf, Not

    pad = "  " * depth
    if isinstance(node, Leaf):
        cite = f"(依据{node.clause})" if node.clause else ""
        return [f"{pad}【条件{node.id}】{node.describe(params, on)}{cite}"]
    if isinstance(node, Not):
        return [f"{pad}不属于以下情形:", *describe_rule(node.child, params, on, depth + 1)]
    word = "同时满足以下全部条件:" if isinstance(node, All) else "满足以下任一条件:"
    assert isinstance(node, All | AnyOf)
    return [f"{pad}{word}", *[line for c in node.children for line in describe_rule(c, params, on, depth + 1)]]


def automatic_capability(engine: Item, item: PolicyItem) -> tuple[bool, str]:
    """免申即享 needs every field the rule (and the amount formula) reads to come from a department."""
    fields = set(engine.fields)
    if engine.benefit.formula:
        fields |= set(formula_fields(engine.benefit.formula))
    lacking = sorted(FIELDS[f].label for f in fields if not FIELDS[f].authority)
    if lacking:
        return False, f"以下字段没有部门权威数据来源,不能免申即享:{'、'.join(lacking)}"
    sources = "、".join(sorted({f"{FIELDS[f].label}({FIELDS[f].authority})" for f in fields}))
    return True, f"全部条件读取部门权威数据:{sources};只有这些字段为权威且未过期的企业进入清单"


def _plain(data: Any) -> Any:
    """YAML gives dates as date objects; rules and cases are stored as JSON with ISO dates."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=lambda o: o.isoformat()
                                 if isinstance(o, dt.date) else str(o)))


@transaction.atomic
def rule_draft(*, actor: User | None, item: PolicyItem, rule: Any, cases: Any = None) -> RuleVersion:
    """Save a rule as a draft version. An existing draft is edited in place; a published version never is: editing
    it starts a new draft numbered after it."""
    access.require_office(actor, "编写规则")
    access.require_policy_region(actor, item.policy)
    rule, cases = _plain(rule), _plain(cases or [])
    engine_item(item, RuleVersion(item=item, number=0, rule=rule, cases=cases), parameter_set())
    item = PolicyItem.objects.select_for_update().get(pk=item.pk)
    latest = item.versions.order_by("-number").first()
    if latest is not None and latest.status == RuleStatus.DRAFT:
        before = {"rule": latest.rule, "cases": latest.cases}
        latest.rule, latest.cases = rule, cases or []
        latest.save(update_fields=["rule", "cases"])
        version = latest
    else:
        before = None
        version = RuleVersion.objects.create(item=item, number=(latest.number + 1) if latest else 1, rule=rule,
                                             cases=cases or [], created_by=actor)
    audit.record(actor=actor, action=PolicyEvent.RULE_DRAFTED, subject=version, before=before,
                 after={"number": version.number, "rule": rule, "cases": cases or []})
    return version


@dataclass(frozen=True)
class FirmChange:
    enterprise_id: int
    name: str
    amount: Decimal | None


@dataclass(frozen=True)
class Preview:
    version: RuleVersion
    gained: list[FirmChange]
    lost: list[FirmChange]
    eligible_before: int
    eligible_after: int
    money_before: Decimal
    money_after: Decimal
    unknown_after: int
    near_miss_after: int
    gained_count: int = 0  # `gained` / `lost` list at most `limit` firms; these are the full counts
    lost_count: int = 0

    @property
    def money_change(self) -> Decimal:
        return self.money_after - self.money_before


def rule_preview(*, actor: User | None, version: RuleVersion, on: dt.date | None = None,
                 limit: int = 200) -> Preview:
    """Before publishing: which firms gain or lose eligibility against the version in force, and the money."""
    access.require_office(actor, "预览规则影响")
    item = version.item
    on = on or today()
    params = parameter_set()
    table = firm_table()
    new = Evaluation([engine_item(item, version, params)], params, table, on)
    new_rows = set(new.rows(item.code).tolist())
    old_rows: set[int] = set()
    old: Evaluation | None = None
    if item.published_version is not None and item.published_version_id != version.pk:
        old = Evaluation([engine_item(item, item.published_version, params)], params, table, on)
        old_rows = set(old.rows(item.code).tolist())

    def money(ev: Evaluation | None, rows: set[int]) -> dict[int, float]:
        if ev is None or not rows:
            return {}
        arr = np.array(sorted(rows), np.int64)
        amounts = ev.amounts(item.code, arr)
        return {int(r): (0.0 if amounts is None or np.isnan(a) else float(a))
                for r, a in zip(arr.tolist(), amounts if amounts is not None else [0.0] * arr.size, strict=True)}

    new_money, old_money = money(new, new_rows), money(old, old_rows)
    names = dict(Enterprise.objects.filter(pk__in=[int(table.ids[r]) for r in (new_rows ^ old_rows)])
                 .values_list("pk", "name"))

    def change(rows: set[int], amounts: dict[int, float]) -> list[FirmChange]:
        out = [FirmChange(int(table.ids[r]), names.get(int(table.ids[r]), ""), _money(amounts.get(r)))
               for r in sorted(rows)]
        return out[:limit]

    counts = new.counts()[item.code]
    return Preview(
        version=version, gained=change(new_rows - old_rows, new_money), lost=change(old_rows - new_rows, old_money),
        eligible_before=len(old_rows), eligible_after=len(new_rows),
        money_before=_money(sum(old_money.values())) or Decimal(0),
        money_after=_money(sum(new_money.values())) or Decimal(0),
        unknown_after=counts[Status.UNKNOWN],
        near_miss_after=len({int(r) for rows in new.near_misses(item.code).values() for r in rows.tolist()}),
        gained_count=len(new_rows - old_rows), lost_count=len(old_rows - new_rows),
    )


def rule_impact(*, actor: User | None, item: PolicyItem, rule: Any, on: dt.date | None = None,
                limit: int = 10) -> Preview:
    """The live preview beside the rule form: an unsaved rule against the version in force (nothing written)."""
    draft = RuleVersion(item=item, number=0, rule=_plain(rule), cases=[])
    return rule_preview(actor=actor, version=draft, on=on, limit=limit)


@transaction.atomic
def rule_publish(*, actor: User | None, version: RuleVersion, push: bool = True) -> RuleVersion:
    """Publish a draft: its cases must pass; the version in force is superseded; firms are told (政策找企)."""
    access.require_office(actor, "发布规则")
    version = RuleVersion.objects.select_for_update(of=("self",)).select_related("item__policy").get(pk=version.pk)
    access.require_policy_region(actor, version.item.policy)
    if version.status != RuleStatus.DRAFT:
        raise InvalidTransition(f"第 {version.number} 版规则已{version.get_status_display()},不能再次发布;"
                                "请修改后另存为新版本。", code=PolicyError.RULES_VERSION_NOT_DRAFT)
    check = rule_check(item=version.item, rule=version.rule, cases=version.cases)
    failed = [c for c in check.cases if not c.passed]
    if failed:
        raise ValidationFailed("测试用例未全部通过,不能发布:" + ";".join(f"「{c.case}」{c.message}" for c in failed),
                               details=[{"case": c.case, "message": c.message} for c in failed], code=PolicyError.RULES_TESTS_FAILING)
    item = PolicyItem.objects.select_for_update().get(pk=version.item_id)
    previous = item.published_version
    if previous is not None:
        RuleVersion.objects.filter(pk=previous.pk).update(status=RuleStatus.SUPERSEDED)
    version.status, version.published_by, version.published_at = RuleStatus.PUBLISHED, actor, timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    item.published_version = version
    item.save(update_fields=["published_version"])
    audit.record(actor=actor, action=PolicyEvent.RULE_PUBLISHED, subject=version,
                 before={"published_version": previous.number if previous else None},
                 after={"published_version": version.number})
    if push:
        transaction.on_commit(lambda: push_item(item_id=item.pk))
    return version


# -- enterprise profiles ----------------------------------------------------------------------------------------------


def _clean_value(name: str, raw: Any) -> Any:
    """A profile value as stored (JSON): numbers, ISO dates, upper-case codes, tag lists. Raises ValueError."""
    if raw is None or raw == "":
        return None
    kind = FIELDS[name].kind
    value = Profile.from_data({name: raw}).values[name]
    if kind == FieldKind.DATE:
        return value.isoformat()
    if kind == FieldKind.TAGS:
        return sorted(value)
    if kind == FieldKind.NUMBER and value < 0:
        raise ValueError(f"{FIELDS[name].label}不能为负数")
    return value


def _derive_size(data: dict[str, Any], provenance: dict[str, Any], on: dt.date) -> None:
    industry = data.get("industry")
    if not industry:
        return
    try:
        result = classify(industry, data.get("employees"), data.get("revenue"), data.get("assets"), on=on)
    except ValueError:
        return
    if result.size:
        data["size"] = result.size
        inputs = [provenance.get(f, {}) for f in ("industry", "employees", "revenue", "assets") if f in data]
        dates = [p.get("as_of") for p in inputs if p.get("as_of")]
        provenance["size"] = {"source": f"按{result.standard}计算", "as_of": min(dates) if dates else on.isoformat(),
                              "authoritative": all(p.get("authoritative") for p in inputs)}
    else:
        data.pop("size", None)
        provenance.pop("size", None)


@transaction.atomic
def profile_save(*, actor: User | None, enterprise: Enterprise, values: Mapping[str, Any], source: str,
                 authoritative: bool, as_of: dt.date | None = None) -> EnterpriseProfile:
    """Update some fields of a firm's profile; each field keeps its source, date and whether it is authoritative.
    An enterprise may only declare its own data (never authoritative)."""
    authoritative, source = access.profile_write(actor, enterprise, authoritative, source)
    as_of = as_of or today()
    profile, _ = EnterpriseProfile.objects.select_for_update().get_or_create(enterprise=enterprise)
    before = {"data": dict(profile.data), "provenance": dict(profile.provenance)}
    data, prov = dict(profile.data), dict(profile.provenance)
    problems = []
    for name, raw in values.items():
        if name not in FIELDS or name == "size":
            problems.append(f"字段「{name}」不能导入")
            continue
        try:
            value = _clean_value(name, raw)
        except (ValueError, TypeError) as exc:
            problems.append(f"{FIELDS[name].label}「{raw}」无效:{exc}")
            continue
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
        prov[name] = {"source": source, "as_of": as_of.isoformat(), "authoritative": bool(authoritative)}
    if problems:
        raise ValidationFailed(";".join(problems), code=PolicyError.PROFILE_INVALID)
    _derive_size(data, prov, as_of)
    changed = data != profile.data or prov != profile.provenance
    profile.data, profile.provenance = data, prov
    profile.credit_code_problem = credit_code_problem(enterprise.credit_code)
    if changed:
        profile.updated_at = timezone.now()
        profile.version += 1
    profile.save()
    if changed:
        audit.record(actor=actor, action=PolicyEvent.PROFILE_SAVED, subject=profile, before=before,
                     after={"data": data, "provenance": prov})
        fields = {f for f in FIELDS if data.get(f) != before["data"].get(f) or prov.get(f) != before["provenance"].get(f)}
        transaction.on_commit(functools.partial(_profile_changed, enterprise.pk, data, prov, fields))
    return profile


def _profile_changed(enterprise_id: int, data: dict[str, Any], prov: dict[str, Any], fields: set[str]) -> None:
    """Keep the cached evaluation current without rebuilding it: apply the firm's changed fields to the table,
    recompute only the items that read them, and push the items the firm now qualifies for (once per version)."""
    with _cache_lock:
        cached = _cache.get("published")
        if cached is None:
            return
        table, ev = cached.table, cached.evaluation
        try:
            row = np.array([table.row_of(enterprise_id)], np.int64)
        except KeyError:
            _cache.pop("published", None)  # a new firm: the next read rebuilds the table
            return
        values = Profile.from_data({k: v for k, v in data.items() if k in FIELDS}).values
        touched = {}
        for name in fields & set(table.columns):
            p = prov.get(name) or {}
            table.apply(name, row, [values.get(name)],
                        as_of=dt.date.fromisoformat(p["as_of"]) if p.get("as_of") else None,
                        authoritative=bool(p.get("authoritative")))
            touched[name] = row
        diff = ev.update(touched)
        cached.key = (_table_key(), *cached.key[1:])
    gained = [code for code, (rows, _) in diff.items() if rows.size]
    for item in PolicyItem.objects.filter(code__in=gained, published_version__isnull=False):
        push_item(item_id=item.pk, only=[enterprise_id])


PROFILE_COLUMNS = {
    "统一社会信用代码": "credit_code", "企业名称": "name", "注册地区代码": "region", "行业代码": "industry",
    "成立日期": "founded", "从业人数": "employees", "营业收入(万元)": "revenue", "资产总额(万元)": "assets",
    "研发费用占比(%)": "rd_ratio", "上年度纳税额(万元)": "tax_paid", "资质标签": "tags", "信用状况": "credit_status",
}


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    flagged: list[str]  # firms whose credit code fails its check (imported, flagged)


def profiles_import(*, actor: User | None, rows: Sequence[Mapping[str, Any]], source: str, authoritative: bool,
                    as_of: dt.date) -> ImportReport:
    """Upsert profiles by credit code, all or nothing: every bad row is listed (row, column, message) and nothing is
    written. Importing the same file twice changes nothing. A credit code that fails its check is flagged, not
    rejected; a firm unknown to the directory is created in the region given by its region code."""
    from luoshi.core.imports import Problems, all_or_nothing

    access.require_profile_importer(actor)
    problems = Problems(columns=list(PROFILE_COLUMNS))
    regions = {r.code: r for r in Region.objects.all()}
    parsed = []
    for number, row in enumerate(rows, start=2):
        code = normalise_credit_code(str(row.get("统一社会信用代码") or ""))
        if not code:
            problems.add(number, "统一社会信用代码", "请填写统一社会信用代码。")
            continue
        values = {}
        for column, name in PROFILE_COLUMNS.items():
            if name in ("credit_code", "name") or column not in row:
                continue
            try:
                values[name] = _clean_value(name, row[column])
            except (ValueError, TypeError) as exc:
                problems.add(number, column, f"「{row[column]}」无效:{exc}。")
        region_code = str(row.get("注册地区代码") or "").strip()
        region = _region_for(regions, region_code)
        if region is None:
            problems.add(number, "注册地区代码", f"找不到区域「{region_code}」(应为 GB/T 2260 代码)。")
        parsed.append((number, code, str(row.get("企业名称") or "").strip(), region, values))
    problems.raise_if_any()
    report = {"created": 0, "updated": 0, "unchanged": 0}
    flagged = []
    with all_or_nothing(problems):
        for number, code, name, region, values in parsed:
            with problems.catching(number):
                enterprise = Enterprise.objects.filter(credit_code=code).first()
                if enterprise is None:
                    if not name:
                        raise ValidationFailed("新企业需填写企业名称。", code=PolicyError.ENTERPRISE_NAME_MISSING)
                    assert region is not None
                    enterprise = Enterprise.objects.create(name=name, credit_code=code, region=region)
                    report["created"] += 1
                    before = None
                else:
                    before = EnterpriseProfile.objects.filter(enterprise=enterprise).values_list("version",
                                                                                                  flat=True).first()
                profile = profile_save(actor=actor, enterprise=enterprise, values=values, source=source,
                                       authoritative=authoritative, as_of=as_of)
                if before is not None:
                    report["updated" if profile.version != before else "unchanged"] += 1
                if profile.credit_code_problem:
                    flagged.append(f"{enterprise.name}({code}):{profile.credit_code_problem}")
    return ImportReport(report["created"], report["updated"], report["unchanged"], flagged)


def _region_for(regions: Mapping[str, Region], code: str) -> Region | None:
    """The region with this code, or its nearest listed ancestor (420106 → 420100 → 420000)."""
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if candidate in regions:
            return regions[candidate]
    return None


# -- pushes (政策找企) and 我的政策 ----------------------------------------------------------------------------------------


def push_item(*, item_id: int, on: dt.date | None = None, only: Sequence[int] | None = None) -> int:
    """Tell every qualifying and near-miss firm about an item's published version, once per version: running it
    again creates nothing. `only` restricts it to some firms (a profile change: qualifying only). Returns how many
    pushes were created."""
    item = PolicyItem.objects.select_related("published_version", "policy").get(pk=item_id)
    version = item.published_version
    if version is None:
        return 0
    ev, _ = published_evaluation(on)
    params = ev.params
    table = ev.table
    done = set(Push.objects.filter(version=version).values_list("enterprise_id", flat=True))
    rows: dict[int, tuple[str, str]] = {int(r): (PushKind.QUALIFYING, "") for r in ev.rows(item.code).tolist()}
    if only is not None:
        wanted = set(only)
        rows = {r: v for r, v in rows.items() if int(table.ids[r]) in wanted}
    else:
        for leaf_id, near in ev.near_misses(item.code).items():
            for r in near.tolist():
                rows.setdefault(int(r), (PushKind.NEAR_MISS, leaf_id))
    created = 0
    for row, (kind, leaf_id) in sorted(rows.items()):
        enterprise_id = int(table.ids[row])
        if enterprise_id in done:
            continue
        outcome = ev.outcome(row, item.code)
        reason = "\n".join(explain(outcome, params))
        try:
            with transaction.atomic():
                push = Push.objects.create(version=version, item=item, enterprise_id=enterprise_id, kind=kind,
                                           status=str(outcome.status), reason=reason, missing_leaf=leaf_id,
                                           amount=_money(outcome.amount))
                audit.record(actor=None, action=PolicyEvent.PUSHED, subject=push,
                             after={"version": version.number, "kind": kind, "status": str(outcome.status)})
                _notify_push(push)
        except IntegrityError:
            continue  # pushed by a concurrent run: once per version
        created += 1
    return created


def _notify_push(push: Push) -> None:
    users = list(access.enterprise_users([push.enterprise_id]))
    if not users:
        return
    title = (f"贵企业符合「{push.item.title}」" if push.kind == PushKind.QUALIFYING
             else f"贵企业距「{push.item.title}」还差一项条件")
    _notify(users=users, kind="policy_push", key=f"policy-push:{push.version_id}:{push.enterprise_id}", title=title,
            body=push.reason, url=f"/policies/mine/#push-{push.pk}", subject=push)


def _notify(**kwargs: Any) -> None:
    """In-app (and email/SMS) through the shared notifications; one per key and person."""
    try:
        from luoshi.notifications.services import notify  # the kernel's notifications
    except ModuleNotFoundError:
        return
    notify(**kwargs)


def push_open(*, actor: User | None, push: Push) -> Push:
    access.require_own_push(actor, push)
    if push.opened_at is None:
        Push.objects.filter(pk=push.pk, opened_at__isnull=True).update(opened_at=timezone.now())
        push.refresh_from_db()
    return push


def pushes_opened(*, actor: User | None, pushes: Sequence[Push]) -> int:
    """The firm has seen these pushes (我的政策 shown): counted as opened in the department's reach."""
    enterprise = access.own_enterprise(actor)
    ids = [p.pk for p in pushes if p.opened_at is None and p.enterprise_id == enterprise.pk]
    return Push.objects.filter(pk__in=ids, opened_at__isnull=True).update(opened_at=timezone.now()) if ids else 0


@transaction.atomic
def push_feedback(*, actor: User | None, push: Push, useful: bool) -> Push:
    access.require_own_push(actor, push)
    push = Push.objects.select_for_update().get(pk=push.pk)
    before = push.feedback
    push.feedback = Feedback.USEFUL if useful else Feedback.NOT_USEFUL
    push.opened_at = push.opened_at or timezone.now()
    push.save(update_fields=["feedback", "opened_at"])
    audit.record(actor=actor, action=PolicyEvent.PUSH_FEEDBACK, subject=push, before={"feedback": before},
                 after={"feedback": push.feedback})
    return push


@transaction.atomic
def push_apply(*, actor: User | None, push: Push) -> Push:
    """The firm says it applies (即申即享/快申快享/限时享受): counted in the department's reach."""
    access.require_own_push(actor, push)
    push = Push.objects.select_for_update(of=("self",)).select_related("item", "enterprise__region").get(pk=push.pk)
    item = push.item
    if item.mode == Mode.AUTOMATIC:
        raise InvalidTransition("该事项为免申即享,无需申报,符合条件即由部门直接兑现。", code=PolicyError.NO_APPLICATION_NEEDED)
    if item.mode == Mode.WINDOW and item.window_start and item.window_end and not (
        item.window_start <= today() <= item.window_end
    ):
        raise InvalidTransition(f"不在申报期内({item.window_start} 至 {item.window_end})。", code=PolicyError.OUTSIDE_WINDOW)
    if push.applied_at is None:
        push.applied_at = timezone.now()
        push.opened_at = push.opened_at or push.applied_at
        push.due_on = _payment_due(item, push.enterprise.region, today())
        push.save(update_fields=["applied_at", "opened_at", "due_on"])
        audit.record(actor=actor, action=PolicyEvent.APPLIED, subject=push,
                     after={"applied": True, "due_on": push.due_on})
    return push


@transaction.atomic
def push_grant(*, actor: User | None, push: Push, amount: Decimal | None = None) -> Push:
    """The paying department grants an application (即申即享 / 快申快享 / 限时享受) and records the amount paid."""
    push = Push.objects.select_for_update(of=("self",)).select_related("item__policy", "item__department", "enterprise").get(
        pk=push.pk)
    access.require_can_pay(actor, push.item)
    if push.applied_at is None:
        raise InvalidTransition("企业尚未申报,不能兑现。", code=PolicyError.NOT_APPLIED)
    if push.granted_at is not None:
        raise InvalidTransition("该申报已兑现。", code=PolicyError.ALREADY_PAID)
    amount = amount if amount is not None else push.amount
    if amount is None or amount < 0:
        raise ValidationFailed("请填写兑现金额。", code=PolicyError.AMOUNT_MISSING)
    push.granted_at, push.granted_amount = timezone.now(), amount
    push.save(update_fields=["granted_at", "granted_amount"])
    audit.record(actor=actor, action=PolicyEvent.GRANTED, subject=push, before={"granted": False},
                 after={"granted": True, "amount": amount, "version": push.version_id})
    users = list(access.enterprise_users([push.enterprise_id]))
    title = f"「{push.item.title}」已向贵企业兑现 {amount:,} 元"
    transaction.on_commit(functools.partial(_notify, users=users, kind="policy_paid", key=f"policy-granted:{push.pk}",
                                            title=title, url="/policies/mine/", subject=push))
    return push


def calculator(*, data: Mapping[str, Any], on: dt.date | None = None) -> list[ItemOutcome]:
    """政策计算器: a hypothetical profile against every published item (nothing saved)."""
    try:
        profile = Profile.from_data({k: v for k, v in data.items() if v not in (None, "", [])})
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"画像数据无效:{exc}", code=PolicyError.PROFILE_INVALID) from None
    if "size" not in profile.values and profile.values.get("industry"):
        try:
            size = classify(profile.values["industry"], profile.values.get("employees"),
                            profile.values.get("revenue"), profile.values.get("assets"), on=on)
            if size.size:
                profile.values["size"] = size.size
        except ValueError:
            pass
    params = parameter_set()
    on = on or today()
    items = PolicyItem.objects.filter(published_version__isnull=False).select_related("published_version")
    return [evaluate_item(engine_item(i, i.published_version, params), profile, params, on)  # type: ignore[arg-type]
            for i in items.order_by("code")]


# -- 免申即享 lists and payments ----------------------------------------------------------------------------------------


def _payment_due(item: PolicyItem, region: Region, start: dt.date) -> dt.date | None:
    if not item.payment_limit_workdays:
        return None
    from luoshi.calendar.services import calendar_for

    return calendar_for(region).add_workdays(start, int(item.payment_limit_workdays)).date


@transaction.atomic
def batch_draw(*, actor: User | None, item: PolicyItem, on: dt.date | None = None) -> PayoutBatch:
    """The 免申即享 list of an item: firms that qualify on authoritative, fresh data, with their amounts after 不重复享受,
    quota and budget. Lines that eligibility found but allocation left out are kept as 未纳入 with the reason."""
    access.require_can_pay(actor, item)
    item = PolicyItem.objects.select_for_update(of=("self",)).select_related("published_version", "policy").get(pk=item.pk)
    if item.mode != Mode.AUTOMATIC:
        raise InvalidTransition("只有免申即享的事项可以生成清单。", code=PolicyError.NOT_AUTOMATIC)
    if item.published_version is None:
        raise InvalidTransition("该事项尚无已发布的规则。", code=PolicyError.NO_PUBLISHED_RULES)
    if PayoutBatch.objects.filter(item=item, status__in=[BatchStatus.DRAWN, BatchStatus.CHECKED,
                                                         BatchStatus.CONFIRMED]).exists():
        raise InvalidTransition("该事项已有未完成的清单,请先完成确认和兑现。", code=PolicyError.BATCH_OPEN)
    ev, _ = published_evaluation(on)
    engine = ev.items[ev.item_index(item.code)]
    capable, note = automatic_capability(engine, item)
    if not capable:
        raise InvalidTransition(note, code=PolicyError.AUTOMATIC_NOT_CAPABLE)
    on = ev.on
    auto_rows = bits_to_rows(ev.automatic_bits(item.code), ev.table.n)
    already = set(PayoutBatch.objects.filter(item=item, status=BatchStatus.PAID)
                  .values_list("payouts__enterprise_id", flat=True))
    eligible: dict[str, tuple[Any, Any]] = {}
    group_items = [i for i in ev.items if engine.exclusive_group and i.exclusive_group == engine.exclusive_group]
    for other in group_items or [engine]:
        rows = ev.rows(other.code) if other.code != item.code else auto_rows
        amounts = ev.amounts(other.code, rows)
        amounts = np.zeros(rows.size) if amounts is None else np.nan_to_num(amounts, nan=-1.0)
        keep = amounts >= 0
        eligible[other.code] = (ev.table.ids[rows[keep]], amounts[keep])
    allocation = allocate(group_items or [engine], eligible)[item.code]
    batch = PayoutBatch.objects.create(item=item, version=item.published_version, evaluated_on=on, drawn_by=actor,
                                       due_on=_payment_due(item, item.policy.region, on))
    reasons: dict[int, tuple[Decimal, str, str]] = {}
    total = Decimal(0)
    for firm_id, amount in zip(allocation.firms.tolist(), allocation.amounts.tolist(), strict=True):
        if firm_id in already:
            continue
        money = _money(amount) or Decimal(0)
        reasons[firm_id] = (money, PayoutState.PENDING, "")
        total += money
    for firm_id, why in allocation.excluded.items():
        if firm_id not in already:
            reasons[firm_id] = (Decimal(0), PayoutState.EXCLUDED, why)
    lines = []
    for firm_id, (amount, state, why) in sorted(reasons.items()):
        outcome = ev.outcome(ev.table.row_of(firm_id), item.code)
        lines.append(batch.payouts.model(batch=batch, enterprise_id=firm_id, version=item.published_version,
                                         amount=amount, state=state, excluded_reason=why,
                                         reason="\n".join(explain(outcome, ev.params))))
    batch.payouts.model.objects.bulk_create(lines)
    batch.total = total
    batch.save(update_fields=["total"])
    audit.record(actor=actor, action=PolicyEvent.BATCH_DRAWN, subject=batch,
                 after={"version": item.published_version.number, "lines": len(lines), "total": total,
                        "evaluated_on": on, "note": note})
    return batch


@transaction.atomic
def batch_check(*, actor: User | None, batch: PayoutBatch) -> PayoutBatch:
    """First of the four eyes (初核)."""
    batch = PayoutBatch.objects.select_for_update(of=("self",)).select_related("item__policy", "item__department").get(
        pk=batch.pk)
    access.require_can_pay(actor, batch.item)
    if batch.status != BatchStatus.DRAWN:
        raise InvalidTransition(f"清单当前为「{batch.get_status_display()}」,不能初核。", code=PolicyError.BATCH_STATUS_WRONG)
    batch.status, batch.checked_by, batch.checked_at = BatchStatus.CHECKED, actor, timezone.now()
    batch.save(update_fields=["status", "checked_by", "checked_at"])
    audit.record(actor=actor, action=PolicyEvent.BATCH_CHECKED, subject=batch, before={"status": BatchStatus.DRAWN},
                 after={"status": batch.status})
    return batch


@transaction.atomic
def batch_confirm(*, actor: User | None, batch: PayoutBatch) -> PayoutBatch:
    """Second of the four eyes: a different person from the one who checked it."""
    batch = PayoutBatch.objects.select_for_update(of=("self",)).select_related("item__policy", "item__department").get(
        pk=batch.pk)
    access.require_can_pay(actor, batch.item)
    if batch.status != BatchStatus.CHECKED:
        raise InvalidTransition(f"清单当前为「{batch.get_status_display()}」,需先由一人初核。", code=PolicyError.BATCH_STATUS_WRONG)
    if actor is not None and batch.checked_by_id == actor.pk:
        raise InvalidTransition("双人复核:确认人不能与初核人为同一人,请由另一位工作人员确认。", code=PolicyError.SAME_REVIEWER)
    batch.status, batch.confirmed_by, batch.confirmed_at = BatchStatus.CONFIRMED, actor, timezone.now()
    batch.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(actor=actor, action=PolicyEvent.BATCH_CONFIRMED, subject=batch,
                 before={"status": BatchStatus.CHECKED}, after={"status": batch.status})
    return batch


@transaction.atomic
def batch_pay(*, actor: User | None, batch: PayoutBatch) -> PayoutBatch:
    """Record the payments (兑现) of a confirmed list and tell each firm."""
    batch = PayoutBatch.objects.select_for_update(of=("self",)).select_related("item__policy", "item__department").get(
        pk=batch.pk)
    access.require_can_pay(actor, batch.item)
    if batch.status != BatchStatus.CONFIRMED:
        raise InvalidTransition(f"清单当前为「{batch.get_status_display()}」,需经两人确认后才能兑现。", code=PolicyError.BATCH_STATUS_WRONG)
    now = timezone.now()
    pending = list(batch.payouts.filter(state=PayoutState.PENDING).select_related("enterprise"))
    batch.payouts.filter(state=PayoutState.PENDING).update(state=PayoutState.PAID, paid_at=now)
    batch.status, batch.paid_by, batch.paid_at = BatchStatus.PAID, actor, now
    batch.save(update_fields=["status", "paid_by", "paid_at"])
    audit.record_many(actor=actor, action=PolicyEvent.BATCH_PAID, events=[
        (p, {"state": PayoutState.PENDING}, {"state": PayoutState.PAID, "amount": p.amount}, "") for p in pending])
    audit.record(actor=actor, action=PolicyEvent.BATCH_PAID, subject=batch, before={"status": BatchStatus.CONFIRMED},
                 after={"status": batch.status, "paid": len(pending), "total": batch.total})
    users: dict[int, list[User]] = {}
    for u in access.enterprise_users([p.enterprise_id for p in pending]):
        assert u.enterprise_id is not None
        users.setdefault(u.enterprise_id, []).append(u)
    title = batch.item.title

    def tell(payout: Any) -> None:
        _notify(users=users[payout.enterprise_id], kind="policy_paid", key=f"policy-paid:{payout.pk}",
                title=f"「{title}」已向贵企业兑现 {payout.amount:,} 元(免申即享)", body=payout.reason,
                url="/policies/mine/", subject=payout)

    for p in pending:
        if p.enterprise_id in users:
            transaction.on_commit(functools.partial(tell, p))
    return batch


def get_item(pk: int) -> PolicyItem:
    try:
        return PolicyItem.objects.select_related("policy__region", "department", "published_version").get(pk=pk)
    except PolicyItem.DoesNotExist:
        raise NotFound("找不到该兑现事项。", code=PolicyError.ITEM_NOT_FOUND) from None


def load_rule_book(*, actor: User | None, book: RuleBook) -> None:
    """Parameters of a YAML rule book into the database (items are created with `item_save`/`rule_draft`)."""
    for name, p in book.params.items():
        parameter_save(actor=actor, name=name, label=p.label, unit=p.unit, reference=p.reference,
                       values={d.isoformat(): v for d, v in p.values})
