"""What every page wears besides its content: Streamlit's own widget text that would otherwise
reach users in English or contradict the app.

The file picker's button reads "Upload" and its hint "20MB per file • XLSX…": English, and the
20 MB is only the transport limit (``intake.limits.TRANSPORT_LIMIT_MB``), not the limit users meet,
which each picker's label states (``MAX_UPLOAD_MB``, ``MAX_ATTACHMENT_MB``) and the server checks
with a Chinese message. So the hint is hidden and the button reads 选择文件."""

from __future__ import annotations

import streamlit as st

_STYLE = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem;
}
</style>"""


def widget_text() -> None:
    """Put Streamlit's own widget text in Chinese on this page (takes no room)."""
    st.html(_STYLE)
