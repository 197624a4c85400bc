from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    role_label: str
    region: str | None
    unit: str | None
    enterprise: str | None


@router.get("", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        role=user.role,  # type: ignore[union-attr]
        role_label=user.get_role_display(),  # type: ignore[union-attr]
        region=str(user.region) if user.region else None,  # type: ignore[union-attr]
        unit=str(user.unit) if user.unit else None,  # type: ignore[union-attr]
        enterprise=str(user.enterprise) if user.enterprise else None,  # type: ignore[union-attr]
    )
