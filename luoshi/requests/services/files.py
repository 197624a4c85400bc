"""Attachments of requests (intake evidence, reply documents, 补正 material), stored with the kernel's evidence
rule (``luoshi.core.evidence``: type by extension and content, size cap, hash) under FILES_DIR/requests."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from luoshi.audit.services import record
from luoshi.core.evidence import StoredFile, discard, store_evidence, stored_path
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import Attachment, Request

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def store_attachment(
    *, request: Request, name: str, stream: IO[bytes] | Any, user: User | None, purpose: str
) -> Attachment:
    stored = store_evidence(area="requests", name=name, stream=stream)
    try:
        return _record(request=request, stored=stored, user=user, purpose=purpose)
    except BaseException:
        discard(stored)
        raise


def _record(*, request: Request, stored: StoredFile, user: User | None, purpose: str) -> Attachment:
    row = Attachment.objects.create(
        request=request,
        purpose=purpose,
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=user,
    )
    record(
        actor=user,
        action=RequestEvent.ATTACHMENT_UPLOADED,
        subject=request,
        after={
            "attachment": row.pk,
            "name": stored.original_name,
            "size": stored.size,
            "sha256": stored.sha256,
            "purpose": purpose,
        },
    )
    return row


def attachment_path(attachment: Attachment) -> Path:
    return stored_path(attachment.stored_name)
