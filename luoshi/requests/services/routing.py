"""Routing suggestions from the platform's own past assignments: train per region (a job), suggest for a request
(top three units with scores, the most similar past requests and how they were handled)."""

from __future__ import annotations

import pickle
import threading
from typing import TYPE_CHECKING, Any

from django.db import transaction

from luoshi.audit.services import record
from luoshi.orgs.models import Region, Unit
from luoshi.requests import access, routing
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import Request, RoutingModel

if TYPE_CHECKING:
    from luoshi.accounts.models import User

MAX_TRAINING = 50_000
_cache: dict[int, routing.Router] = {}
_lock = threading.Lock()


def training_rows(region: Region) -> list[tuple[int, str, int]]:
    """(request id, text, lead unit id) of requests whose routing was confirmed and kept (signed for)."""
    rows = (
        Request.objects.filter(
            region_id__in=access.subtree_ids(region), lead_unit__isnull=False, signed_at__isnull=False
        )
        .order_by("-received_at")
        .values_list("pk", "title", "text", "lead_unit_id")[:MAX_TRAINING]
    )
    return [(pk, f"{title}。{text}", unit) for pk, title, text, unit in rows]


def routing_train(*, region: Region, actor: User | None = None) -> RoutingModel | None:
    """Train the region's router on its history; None when there is too little (fewer than two units)."""
    rows = training_rows(region)
    if len({u for _, _, u in rows}) < 2:
        return None
    router = routing.Router([t for _, t, _ in rows], [u for _, _, u in rows], [pk for pk, _, _ in rows])
    blob = pickle.dumps(router, protocol=pickle.HIGHEST_PROTOCOL)
    with transaction.atomic():
        row = RoutingModel.objects.create(
            region=region, n_samples=len(rows), n_classes=len(router.classes), blob=blob
        )
        record(
            actor=actor,
            action=RequestEvent.ROUTING_TRAINED,
            subject=row,
            after={"region": region.pk, "n": len(rows), "classes": len(router.classes)},
        )
    with _lock:
        _cache[row.pk] = router
    return row


def _router_for(region: Region) -> tuple[RoutingModel, routing.Router] | None:
    ancestors = access.ancestor_ids(region)
    row = (
        RoutingModel.objects.filter(region_id__in=ancestors)
        .defer("blob")
        .order_by("-trained_at", "-id")
        .first()
    )
    if row is None:
        return None
    with _lock:
        router = _cache.get(row.pk)
    if router is None:
        blob = RoutingModel.objects.values_list("blob", flat=True).get(pk=row.pk)
        router = pickle.loads(bytes(blob))  # noqa: S301 - written by routing_train on this platform only
        with _lock:
            _cache[row.pk] = router
    return row, router


def suggest_for(req: Request) -> dict[str, Any]:
    """The suggestion shown to the dispatcher, also stored on the request (to count how often it was followed)."""
    found = _router_for(req.region)
    if found is None:
        return {}
    row, router = found
    text = f"{req.title}。{req.text}"
    top = router.suggest(text, 3)
    names = dict(Unit.objects.filter(pk__in=[s.label for s in top]).values_list("pk", "name"))
    similar = router.similar(text, 6)
    past = {
        r.pk: r
        for r in Request.objects.filter(pk__in=[s.ref for s in similar])
        .exclude(pk=req.pk)
        .select_related("lead_unit")
    }
    out = {
        "model": row.pk,
        "top": [{"unit": s.label, "name": names.get(s.label, "?"), "score": round(s.score, 3)} for s in top],
        "similar": [
            {
                "request": p.pk,
                "number": p.number,
                "title": p.title,
                "unit": p.lead_unit.name if p.lead_unit else "",
                "status": p.get_status_display(),
                "satisfaction": p.get_satisfaction_display() if p.satisfaction else "",
                "similarity": round(s.similarity, 3),
            }
            for s in similar
            if (p := past.get(s.ref)) is not None
        ][:5],
    }
    Request.objects.filter(pk=req.pk).update(suggestion=out)
    req.suggestion = out
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()
