"""Limits on uploaded workbooks, in one place.

``MAX_UPLOAD_BYTES`` is the one upload limit the users meet: 5 MB counted the way the browser and
Windows' Explorer count it (5,000,000 bytes), checked on the server with a Chinese message. The
file pickers let through up to ``TRANSPORT_LIMIT_MB`` (``server.maxUploadSize`` in
``.streamlit/config.toml``) so that an oversized report reaches that message instead of the
browser's own English refusal; the transport limit only keeps absurd files out of memory.
"""

from __future__ import annotations

MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1000 * 1000
TRANSPORT_LIMIT_MB = 4 * MAX_UPLOAD_MB  # must equal server.maxUploadSize in .streamlit/config.toml

# Inside the .xlsx (a zip archive): generous for a monthly report, small enough to stay safe.
MAX_ZIP_MEMBERS = 300
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # only checked for members above RATIO_CHECK_BYTES
RATIO_CHECK_BYTES = 1024 * 1024

# Cells a sheet may use: row 3,000 and column Z at most (a unit of a city or province may
# report on a couple of thousand tasks).
MAX_ROWS = 3000
MAX_COLUMN = 26
MAX_CELLS = MAX_ROWS * MAX_COLUMN

# Lengths of what a unit types.
MAX_TEXT_CHARS = 2000  # 本月工作进展 / 存在问题 / 下步打算
MAX_REMARK_CHARS = 500  # 备注
MAX_HEADER_CHARS = 50  # 填报单位 / 填报人 / 联系电话 / 单位主要负责人

# Attachments of inspections and of 整改情况 (photos, PDFs): counted like the upload limit.
MAX_ATTACHMENT_MB = 10
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1000 * 1000
MAX_ATTACHMENT_NAME_CHARS = 120
