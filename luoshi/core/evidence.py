"""Evidence files, stored once for every domain: a progress report's 佐证材料 (supervision), a request's
attachments and reply documents (requests), an indicator value's evidence (dashboard).

One rule for all of them: the extension must be an accepted type *and* the first bytes must match it (a
renamed .exe is refused), the size is capped while streaming (nothing larger than the cap is ever written),
an empty file is refused, and the file is hashed. Each domain keeps its own row (who may attach what, to
which report or request, how many) and calls :func:`store_evidence` inside its permission check; if the
domain's transaction rolls back, :func:`discard` removes the file again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from luoshi.core.errors import ValidationFailed

__all__ = [
    "EVIDENCE_TYPES",
    "MAX_EVIDENCE_BYTES",
    "StoredFile",
    "discard",
    "evidence_limit",
    "store_evidence",
    "stored_path",
]

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)

# extension -> (content type, accepted leading bytes). Office files are zip (OOXML, OFD) or OLE (.doc/.xls).
EVIDENCE_TYPES: Mapping[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "ofd": ("application/ofd", _ZIP),
    "zip": ("application/zip", _ZIP),
}
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
_HEAD = 16


def evidence_limit() -> int:
    """The per-file cap: 20 MB, or the deployment's ``LUOSHI_MAX_UPLOAD_BYTES`` if that is lower."""
    return min(MAX_EVIDENCE_BYTES, int(getattr(settings, "LUOSHI_MAX_UPLOAD_BYTES", MAX_EVIDENCE_BYTES)))


@dataclass(frozen=True)
class StoredFile:
    original_name: str  # the uploader's file name, without any directory part
    stored_name: str  # relative to FILES_DIR, e.g. "supervision/2026/12/<uuid>.pdf"
    content_type: str
    size: int
    sha256: str


def _chunks(stream: IO[bytes] | Any) -> Iterable[bytes]:
    if hasattr(stream, "chunks"):  # Django's UploadedFile
        return stream.chunks()  # type: ignore[no-any-return]
    return iter(lambda: stream.read(65536), b"")


def store_evidence(
    *, area: str, name: str, stream: IO[bytes] | Any, what: str = "附件"
) -> StoredFile:
    """Check and store one file under ``FILES_DIR/<area>/<yyyy>/<mm>/``. ``what`` names it in errors
    (附件 / 佐证材料). Raises ValidationFailed (Chinese, naming the file) and leaves nothing behind."""
    base = Path(name or "").name.strip() or what
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if ext not in EVIDENCE_TYPES:
        allowed = "、".join(sorted(EVIDENCE_TYPES))
        raise ValidationFailed(f"{what}“{base}”的类型不允许上传;请上传 {allowed} 格式的文件。")
    limit = evidence_limit()
    too_big = f"{what}“{base}”超过大小上限 {limit // (1024 * 1024)} MB,请压缩后再上传。"
    declared = getattr(stream, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise ValidationFailed(too_big)
    now = timezone.localtime()
    rel = Path(area) / f"{now:%Y}" / f"{now:%m}" / f"{uuid.uuid4().hex}.{ext}"
    target = Path(settings.FILES_DIR) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with open(target, "xb") as fh:
            for chunk in _chunks(stream):
                if len(head) < _HEAD:
                    head = (head + chunk)[:_HEAD]
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(too_big)
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise ValidationFailed(f"{what}“{base}”是空文件,请重新选择。")
        content_type, signatures = EVIDENCE_TYPES[ext]
        if not any(head.startswith(sig) for sig in signatures):
            raise ValidationFailed(f"{what}“{base}”的内容与扩展名 .{ext} 不符,请上传真实的 {ext} 文件。")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(base[:255], rel.as_posix(), content_type, size, digest.hexdigest())


def stored_path(stored_name: str) -> Path:
    """The file behind a stored name, refusing any name that would leave FILES_DIR."""
    root = Path(settings.FILES_DIR).resolve()
    path = (root / stored_name).resolve()
    if not path.is_relative_to(root):
        raise ValidationFailed("附件路径无效。")
    return path


def discard(stored: StoredFile | None) -> None:
    """Remove a stored file whose row did not commit (call from the domain's ``except`` around its
    transaction)."""
    if stored is not None:
        stored_path(stored.stored_name).unlink(missing_ok=True)
