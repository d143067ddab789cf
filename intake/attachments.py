"""Attachments (photos, PDFs) of inspections and of a unit's 整改情况: size-limited and typed by
their content, never by the name they came with."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from core.text import clean
from intake.limits import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_MB, MAX_ATTACHMENT_NAME_CHARS

# What the first bytes of a file must be, and the type it is then stored as.
KINDS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG 图片"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG 图片"),
    (b"%PDF-", "application/pdf", "PDF 文件"),
)
ACCEPTED = "、".join(label for _, _, label in KINDS)
EXTENSIONS = ("jpg", "jpeg", "png", "pdf")  # for the file picker only; the content decides


class AttachmentRejected(ValueError):
    """The file cannot be kept as an attachment; the message says why."""


@dataclass(frozen=True)
class CheckedAttachment:
    file_name: str
    mime: str
    size: int
    sha256: str
    content: bytes


def check_attachment(file_name: str, data: bytes) -> CheckedAttachment:
    """The attachment if its content is a JPEG, PNG or PDF within the size limit."""
    name = clean(PurePath(str(file_name).replace("\\", "/")).name).strip() or "附件"
    if len(name) > MAX_ATTACHMENT_NAME_CHARS:
        name = name[-MAX_ATTACHMENT_NAME_CHARS:]
    if not data:
        raise AttachmentRejected(f"附件“{name}”是空文件（0 字节），请重新选择")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected(f"附件“{name}”超过 {MAX_ATTACHMENT_MB} MB 上限：请压缩图片或拆分 PDF 后再上传")
    for magic, mime, _ in KINDS:
        if data.startswith(magic):
            return CheckedAttachment(name, mime, len(data), hashlib.sha256(data).hexdigest(), data)
    raise AttachmentRejected(
        f"附件“{name}”不是{ACCEPTED}（按文件内容判断，与扩展名无关）：只接受照片（JPEG、PNG）和 PDF 文件"
    )
