"""The kernel's one evidence rule, as every domain gets it: type by extension and content, size cap while
streaming, empty files refused, nothing left behind on refusal, names that cannot leave FILES_DIR."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import override_settings

from luoshi.core.errors import ValidationFailed
from luoshi.core.evidence import discard, store_evidence, stored_path


@pytest.fixture
def files_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    with override_settings(FILES_DIR=str(tmp_path)):
        yield tmp_path


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_pdf_is_stored_hashed_and_removable(files_dir: Path) -> None:
    stored = store_evidence(area="supervision", name="../../证明.pdf", stream=io.BytesIO(b"%PDF-1.7 body"))
    assert stored.original_name == "证明.pdf" and stored.content_type == "application/pdf"
    assert stored.size == 13 and len(stored.sha256) == 64
    assert stored.stored_name.startswith("supervision/")
    path = stored_path(stored.stored_name)
    assert path.read_bytes() == b"%PDF-1.7 body"
    discard(stored)
    assert not path.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ", "类型不允许上传"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名 .pdf 不符"),
        ("空.docx", b"", "是空文件"),
    ],
)
def test_refusals_name_the_file_and_leave_nothing(files_dir: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        store_evidence(area="requests", name=name, stream=io.BytesIO(data), what="佐证材料")
    assert message in info.value.message and name in info.value.message
    assert "佐证材料" in info.value.message
    assert _files(files_dir) == []


def test_the_cap_is_applied_while_streaming(files_dir: Path) -> None:
    big = io.BytesIO(b"%PDF-" + b"x" * (1024 * 1024))
    with override_settings(LUOSHI_MAX_UPLOAD_BYTES=1024 * 1024), pytest.raises(ValidationFailed, match="1 MB"):
        store_evidence(area="dashboard", name="big.pdf", stream=big)
    assert _files(files_dir) == []


def test_a_stored_name_cannot_leave_files_dir(files_dir: Path) -> None:
    with pytest.raises(ValidationFailed):
        stored_path("../../etc/passwd")


def test_no_domain_keeps_its_own_copy_of_the_rule() -> None:
    """The type table and the streaming check live once, in the kernel."""
    root = Path(__file__).resolve().parents[2]
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "evidence.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "内容与扩展名" not in text, f"{path} re-implements the evidence check; use luoshi.core.evidence"
