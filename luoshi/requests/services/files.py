"""Attachments of requests (intake evidence, reply documents, 补正 material): type checked by extension and
content, size-limited, stored under FILES_DIR/requests, hashed."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from luoshi.audit.services import record
from luoshi.core.errors import ValidationFailed
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import Attachment, Request

if TYPE_CHECKING:
    from luoshi.accounts.models import User

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
ALLOWED: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "ofd": ("application/ofd", ZIP),
    "zip": ("application/zip", ZIP),
}
MAX_BYTES = 20 * 1024 * 1024


def _limit() -> int:
    return min(MAX_BYTES, int(getattr(settings, "LUOSHI_MAX_UPLOAD_BYTES", MAX_BYTES)))


def store_attachment(
    *, request: Request, name: str, stream: IO[bytes] | Any, user: User | None, purpose: str
) -> Attachment:
    base = Path(name or "").name.strip() or "附件"
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if ext not in ALLOWED:
        raise ValidationFailed(
            f"附件“{base}”的类型不允许上传;请上传 {'、'.join(sorted(ALLOWED))} 格式的文件。",
            code=RequestError.FILE_TYPE_NOT_ALLOWED,
        )
    limit = _limit()
    too_big = f"附件“{base}”超过大小上限 {limit // (1024 * 1024)} MB,请压缩后再上传。"
    declared = getattr(stream, "size", None)
    if declared is not None and declared > limit:
        raise ValidationFailed(too_big, code=RequestError.FILE_TOO_LARGE)
    now = timezone.now()
    rel = Path("requests") / f"{now:%Y}" / f"{now:%m}" / f"{uuid.uuid4().hex}.{ext}"
    target = Path(settings.FILES_DIR) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    chunks: Iterable[bytes] = (
        stream.chunks() if hasattr(stream, "chunks") else iter(lambda: stream.read(65536), b"")
    )
    try:
        with open(target, "xb") as fh:
            for chunk in chunks:
                head = (head + chunk)[:16] if len(head) < 16 else head
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(too_big, code=RequestError.FILE_TOO_LARGE)
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise ValidationFailed(f"附件“{base}”是空文件,请重新选择。", code=RequestError.FILE_EMPTY)
        if not head.startswith(ALLOWED[ext][1]):
            raise ValidationFailed(f"附件“{base}”的内容与扩展名 .{ext} 不符,请上传真实的 {ext} 文件。", code=RequestError.FILE_CONTENT_MISMATCH)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    row = Attachment.objects.create(
        request=request,
        purpose=purpose,
        original_name=base[:255],
        stored_name=str(rel),
        content_type=ALLOWED[ext][0],
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    record(
        actor=user,
        action=RequestEvent.ATTACHMENT_UPLOADED,
        subject=request,
        after={"attachment": row.pk, "name": base, "size": size, "sha256": row.sha256, "purpose": purpose},
    )
    return row


def attachment_path(attachment: Attachment) -> Path:
    root = Path(settings.FILES_DIR).resolve()
    path = (root / attachment.stored_name).resolve()
    if not path.is_relative_to(root):
        raise ValidationFailed("附件路径无效。", code=RequestError.FILE_PATH_INVALID)
    return path
