"""Hotspots (热点): near-duplicate and similar requests of a period grouped with MinHash LSH (datasketch) over
character bigrams, biggest clusters first, so one fix can close many. A cluster becomes a supervised task through
the `supervised_task_requested` hook (whoever runs supervised tasks answers it); requests never imports supervision."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datasketch import MinHash, MinHashLSH
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.services import record
from luoshi.core.errors import Conflict, ValidationFailed
from luoshi.orgs.models import Region
from luoshi.requests import access, hooks
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import Hotspot
from luoshi.requests.routing import clean

if TYPE_CHECKING:
    from luoshi.accounts.models import User

NUM_PERM = 64
THRESHOLD = 0.35
MAX_REQUESTS = 20_000


@dataclass(frozen=True)
class Cluster:
    signature: str
    label: str
    request_ids: list[int]
    units: list[str]
    titles: list[str]
    task_ref: str = ""
    task_url: str = ""

    @property
    def size(self) -> int:
        return len(self.request_ids)


def _shingles(text: str) -> set[bytes]:
    t = clean(text).replace(" ", "")
    return {t[i : i + 2].encode() for i in range(max(1, len(t) - 1))}


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        year, month = (int(x) for x in period.split("-"))
        start = dt.datetime(year, month, 1, tzinfo=timezone.get_default_timezone())
    except ValueError:
        raise ValidationFailed(f"统计周期“{period}”无效,应为 YYYY-MM。", code=RequestError.PERIOD_INVALID) from None
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=timezone.get_default_timezone())
    return start, end


def signature_of(ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:32]


def clusters(
    *, user: User | None, region: Region, period: str, min_size: int = 2, top: int = 20
) -> list[Cluster]:
    start, end = period_bounds(period)
    rows = list(
        access.visible_requests(user)
        .filter(region_id__in=access.subtree_ids(region), received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "pk")
        .values_list("pk", "title", "text", "lead_unit__name")[:MAX_REQUESTS]
    )
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    hashes: dict[int, MinHash] = {}
    for pk, title, text, _ in rows:
        m = MinHash(num_perm=NUM_PERM, seed=7)
        m.update_batch(list(_shingles(f"{title}{text}")))
        hashes[pk] = m
        lsh.insert(pk, m)
    parent = {pk: pk for pk in hashes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pk, m in hashes.items():
        for other in lsh.query(m):
            a, b = find(pk), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for pk in hashes:
        groups.setdefault(find(pk), []).append(pk)
    info = {pk: (title, unit or "") for pk, title, _, unit in rows}
    existing = {
        sig: (ref, url)
        for sig, ref, url in Hotspot.objects.filter(region=region, period=period).values_list(
            "signature", "task_ref", "task_url"
        )
    }
    out = []
    for ids in sorted(groups.values(), key=lambda g: (-len(g), g[0])):
        if len(ids) < min_size:
            break
        titles = [info[i][0] for i in ids]
        sig = signature_of(ids)
        out.append(
            Cluster(
                signature=sig,
                label=Counter(titles).most_common(1)[0][0],
                request_ids=sorted(ids),
                units=[u for u, _ in Counter(info[i][1] for i in ids if info[i][1]).most_common(3)],
                titles=titles[:5],
                task_ref=existing.get(sig, ("", ""))[0],
                task_url=existing.get(sig, ("", ""))[1],
            )
        )
        if len(out) >= top:
            break
    return out


def hotspot_to_task(
    *, user: User | None, region: Region, period: str, request_ids: list[int], label: str, note: str = ""
) -> Hotspot:
    """Turn a cluster into a supervised task (through the hook); recorded once per cluster."""
    access.require_office(user, None, "将热点转为督办任务")
    if user is not None and not user.is_superuser and not access.region_contains(user.region, region):
        raise access.AccessDenied(code=RequestError.HOTSPOT_OUTSIDE_REGION)
    reqs = list(
        access.visible_requests(user).filter(pk__in=request_ids, region_id__in=access.subtree_ids(region))
    )
    if len(reqs) < 2:
        raise ValidationFailed("热点至少应包含 2 条诉求。", code=RequestError.HOTSPOT_TOO_SMALL)
    label = (label or "").strip()[:200] or reqs[0].title
    sig = signature_of([r.pk for r in reqs])
    try:
        with transaction.atomic():
            spot = Hotspot.objects.create(
                region=region, period=period, label=label, signature=sig, created_by=user
            )
            spot.requests.set(reqs)
            ranked = Counter(r.lead_unit_id for r in reqs if r.lead_unit_id)
            ref, url = hooks.request_supervised_task(
                actor=user,
                region=region,
                title=f"热点问题整改:{label}",
                text=note or f"{period} 期间同类诉求 {len(reqs)} 件,请牵头单位会同相关单位从制度上解决这一类问题。",
                # the most frequent lead unit leads; ties go to the lower id so the choice is stable
                unit_ids=[u for u, _ in sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))],
                source=spot,
                items=[
                    {"number": r.number, "title": r.title, "url": reverse("requests:detail", args=[r.pk])}
                    for r in sorted(reqs, key=lambda r: r.pk)
                ],
                period=period,
            )
            spot.task_ref, spot.task_url = ref or "", url
            spot.save(update_fields=["task_ref", "task_url"])
            record(
                actor=user,
                action=RequestEvent.HOTSPOT_TASK,
                subject=spot,
                after={"requests": [r.pk for r in reqs], "task": spot.task_ref, "period": period},
                reason=f"热点“{label}”转为督办任务",
            )
    except IntegrityError:
        raise Conflict("该热点已转为督办任务。", code=RequestError.HOTSPOT_ALREADY_TASKED) from None
    return spot


def hotspot_summary(spot: Hotspot) -> dict[str, Any]:
    return {
        "label": spot.label,
        "period": spot.period,
        "task": spot.task_ref,
        "url": spot.task_url,
        "size": spot.requests.count(),
    }
