"""File downloads with Chinese names: ``Content-Disposition`` per RFC 6266 / RFC 5987 (``filename*=UTF-8''…``)
plus a plain ASCII ``filename`` for old clients."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_disposition(filename: str, *, fallback: str = "", inline: bool = False) -> str:
    """``attachment; filename="fallback.docx"; filename*=UTF-8''%E8%8D%86…``."""
    suffix = filename[filename.rfind(".") :] if "." in filename else ""
    ascii_name = fallback or "".join(ch for ch in filename if (ch.isascii() and ch.isalnum()) or ch in "-_.")
    if not ascii_name or ascii_name == suffix:
        ascii_name = f"download{suffix}"
    ascii_name = ascii_name.replace('"', "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content: bytes, filename: str, content_type: str, *, fallback: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response
