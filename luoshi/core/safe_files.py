"""Guards every reader of uploaded files calls before it parses anything: decompression bombs and XML floods.

Pure Python (no Django): the plan parser, the workbook imports (directory, projects, progress reports), calendar
notices and the coming requests/policies imports call `check_upload(data, ext)` (or `check_zip` / `check_pdf`) at
their entry. A refusal raises `UnsafeFile` with a Chinese message saying what is wrong and what to do, in well
under a second: the checks read the zip central directory, stream-decompress with a cap and never keep what they
decompress.

What is checked:
- .docx/.xlsx (zip): number of members, the members' total declared uncompressed size, the uncompressed size of the
  XML parts, each member's compression ratio, and the number of XML tags (counted while stream-decompressing, so a
  member that lies about its size is caught too — `zipfile` never yields more than the declared size anyway).
- .pdf: every FlateDecode stream that is not an image is stream-decompressed up to a per-stream and a total cap
  (pdfminer inflates content and object streams whole in memory).

The limits are generous for real 营商环境 plans and workbooks (a 300-page plan's document.xml is a few MB) and far
below what a bomb needs. Readers still read workbooks in read-only mode and heavy parsing runs in a child process
with memory and CPU limits (`luoshi.core.sandbox`).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

MB = 1024 * 1024


class UnsafeFile(ValueError):
    """An upload refused before parsing. `message` is Chinese and says what to do."""

    def __init__(self, message: str, *, code: str = "unsafe_file") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Limits:
    max_members: int = 10_000
    max_total_uncompressed: int = 256 * MB
    max_xml_uncompressed: int = 64 * MB
    max_ratio: float = 100.0  # compression ratio of one member ...
    ratio_min_size: int = 4 * MB  # ... checked once it expands to at least this much
    max_xml_tags: int = 3_000_000
    max_pdf_stream: int = 48 * MB
    max_pdf_total: int = 160 * MB


DEFAULT_LIMITS = Limits()
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 256 * 1024


def _mb(n: float) -> str:
    return f"{n / MB:.0f} MB"


def check_upload(data: bytes, ext: str = "", *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a decompression bomb of any supported kind; other content passes untouched."""
    if data.startswith(b"PK\x03\x04") or ext.lower().lstrip(".") in ("docx", "xlsx", "xlsm", "pptx"):
        check_zip(data, limits=limits)
    elif data.startswith(b"%PDF") or ext.lower().lstrip(".") == "pdf":
        check_pdf(data, limits=limits)


def check_zip(src: bytes | IO[bytes], *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a zip (.docx/.xlsx) whose expansion is extreme. A file that is not a zip at all passes: the reader
    reports it as corrupt in its own words."""
    stream: IO[bytes] = io.BytesIO(src) if isinstance(src, bytes | bytearray) else src
    try:
        position = stream.tell()
    except (OSError, AttributeError):
        position = 0
    try:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
        with archive:
            _check_zip_members(archive, limits)
    finally:
        with contextlib.suppress(OSError, AttributeError):
            stream.seek(position)


def _check_zip_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeFile(
            f"文件内部包含 {len(infos)} 个部件,超过 {limits.max_members} 个的上限,疑似异常文件,已拒绝读取。"
            "请在 Word/Excel 中另存后再上传。",
            code="too_many_parts",
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_uncompressed:
        raise UnsafeFile(
            f"文件解压后共 {_mb(total)},超过 {_mb(limits.max_total_uncompressed)} 的上限(压缩包炸弹或内容过多),"
            "已拒绝读取。请删去无关内容或拆分后再上传。",
            code="too_large_uncompressed",
        )
    xml = [i for i in infos if i.filename.lower().endswith(_XML_SUFFIXES)]
    xml_total = sum(i.file_size for i in xml)
    if xml_total > limits.max_xml_uncompressed:
        raise UnsafeFile(
            f"文件的正文与表格数据解压后共 {_mb(xml_total)},超过 {_mb(limits.max_xml_uncompressed)} 的上限,"
            "已拒绝读取。请拆分文件或只上传方案正文、填报表本身。",
            code="too_large_uncompressed",
        )
    for info in infos:
        if info.file_size >= limits.ratio_min_size:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnsafeFile(
                    f"文件中的“{info.filename}”压缩比异常({ratio:.0f} 倍,解压后 {_mb(info.file_size)}),"
                    "疑似压缩包炸弹,已拒绝读取。请在 Word/Excel 中打开并另存后再上传。",
                    code="compression_ratio",
                )
    tags = 0
    for info in xml:
        for chunk in _member_chunks(archive, info):
            tags += chunk.count(b"<")
            if tags > limits.max_xml_tags:
                raise UnsafeFile(
                    f"文件包含的数据节点超过 {limits.max_xml_tags:,} 个的上限,已拒绝读取。请拆分文件后再上传。",
                    code="too_many_nodes",
                )


def _member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in chunks; stops quietly on a corrupt or encrypted member (the reader reports it)."""
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return
    except ValueError:
        return


_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_IMAGE = re.compile(rb"/Subtype\s*/Image")


def check_pdf(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a PDF whose compressed streams inflate beyond the caps. Image streams are skipped (the text
    extractor never inflates them)."""
    total = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        head = data[max(0, m.start() - 2048) : m.start()]
        dict_start = head.rfind(b"obj")
        if _IMAGE.search(head[dict_start if dict_start >= 0 else 0 :]):
            continue
        size = _inflated_size(data, start, limits.max_pdf_stream + 1)
        if size > limits.max_pdf_stream:
            raise UnsafeFile(
                f"PDF 中有一段压缩数据解压后超过 {_mb(limits.max_pdf_stream)} 的上限,疑似压缩炸弹,已拒绝读取。"
                "请重新导出 PDF(或上传 Word 原件)后再试。",
                code="pdf_stream_too_large",
            )
        total += size
        if total > limits.max_pdf_total:
            raise UnsafeFile(
                f"PDF 的压缩数据解压后共超过 {_mb(limits.max_pdf_total)} 的上限,已拒绝读取。"
                "请只上传方案正文,或拆分后再上传。",
                code="pdf_too_large_uncompressed",
            )


def _inflated_size(data: bytes, start: int, cap: int) -> int:
    """Bytes the zlib stream at `start` inflates to, counting no further than `cap`; 0 if it is not zlib."""
    d = zlib.decompressobj()
    out = 0
    pos = start
    n = len(data)
    try:
        while pos < n and not d.eof:
            chunk = data[pos : pos + _CHUNK]
            pos += len(chunk)
            buf = d.decompress(chunk, _CHUNK)
            out += len(buf)
            while d.unconsumed_tail and out <= cap:
                buf = d.decompress(d.unconsumed_tail, _CHUNK)
                out += len(buf)
            if out > cap:
                return out
    except zlib.error:
        return out
    return out
