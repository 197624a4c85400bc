"""The audit trail as .xlsx, in the same plain Chinese as the page (cells escaped against formula injection)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from luoshi.audit.presentation import present
from luoshi.audit.selectors import AuditFilters, recent_events_for
from luoshi.core.sanitize import xlsx_row

if TYPE_CHECKING:
    from django.contrib.auth.models import (
        AbstractUser as User,  # any account: the audit app knows no app above it
    )

EXPORT_LIMIT = 50_000
HEADER = ["时间", "操作人", "事件", "对象类型", "对象", "变更", "说明", "途径"]


def audit_xlsx(user: User, filters: AuditFilters | None = None) -> bytes:
    from openpyxl import Workbook

    events = recent_events_for(user, filters)[:EXPORT_LIMIT]  # refuses before any file is started
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计记录")
    ws.append(HEADER)
    for event in events.iterator(chunk_size=2000):
        v = present(event)
        ws.append(
            xlsx_row(
                ws,
                (
                    v.when,
                    v.who,
                    v.what,
                    v.subject_kind,
                    v.subject,
                    "\n".join(str(c) for c in v.changes),
                    v.reason,
                    v.interface,
                ),
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
