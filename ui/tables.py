"""Tables on the pages, and the one way to take one away.

Streamlit's own table export (the CSV button and copying cells) is switched off
(``client.disableDataExport`` in ``.streamlit/config.toml``): it writes cells raw, so text that a
spreadsheet evaluates would run in the office's Excel. Every table instead offers 下载 Excel,
built by ``office.exports.table_workbook`` with every cell made safe.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from core import clock
from office import exports


def _cell(value: Any) -> Any:
    """A value of a shown table as the workbook writes it: lists (status pills) joined, no NaN."""
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "item"):  # a numpy number
        return value.item()
    if isinstance(value, datetime | date | int | float | str):
        return value
    return str(value)


def workbook(frame: pd.DataFrame, title: str) -> bytes:
    """The downloadable copy of ``frame``: its columns and rows as shown, every cell safe."""
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return exports.table_workbook(title, [str(c) for c in frame.columns], rows, as_of=clock.now())


LONG_TEXT = 20  # characters: a text column with longer cells is shown wide, wrapped, and in full on selection
_WRAPPED_ROW_HEIGHT = 72  # pixels: three lines; Streamlit wraps text only in rows taller than 4rem
_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in string.punctuation})


def plain(text: str) -> str:
    """Text for ``st.markdown`` shown as it is, never read as Markdown."""
    return text.translate(_MARKDOWN_SPECIAL)


def _long_text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        str(column)
        for column in frame.columns
        if any(isinstance(v, str) and len(v) > LONG_TEXT for v in frame[column].tolist())
    ]


def table(
    frame: pd.DataFrame,
    *,
    name: str,
    styled: Styler | None = None,
    key: str | None = None,
    column_config: Mapping[str, Any] | None = None,
    download: bool = True,
    **options: Any,
) -> Any:
    """``st.dataframe`` as every page shows it (no index, full width), with 下载 Excel below it.
    ``name`` titles the workbook and names its file; ``styled`` (``frame.style``…) is shown in
    place of the frame, while the workbook takes the frame's own values. Returns what ``st.dataframe`` returns (the
    selection event when ``on_select`` is given).

    Long text (any cell of a text column over ``LONG_TEXT`` characters) is shown in a wide
    column, wrapped over three lines; unless the caller uses the selection itself, selecting a
    row shows its long texts in full below the table."""
    options.setdefault("width", "stretch")
    config = dict(column_config or {})
    long = [column for column in _long_text_columns(frame) if column not in config]
    for column in long:
        config[column] = st.column_config.TextColumn(column, width="large")
    if long:
        options.setdefault("row_height", _WRAPPED_ROW_HEIGHT)
    in_full = bool(long) and "on_select" not in options
    if in_full:
        options.update(on_select="rerun", selection_mode="single-row")
    shown = frame if styled is None else styled
    event = st.dataframe(shown, hide_index=True, column_config=config or None, key=key, **options)
    if in_full:
        _in_full(frame, event.selection.rows, long)
    if download and not frame.empty:
        st.download_button(
            "下载 Excel",
            data=lambda: workbook(frame, name),
            file_name=f"{name}.xlsx",
            mime=exports.XLSX_MIME,
            on_click="ignore",
            key=f"download_{key or name}",
            type="tertiary",
            help="表格另存为 Excel；以 = + - @ 开头的内容已加单引号，打开时不会被当作公式执行",
        )
    return event


def _in_full(frame: pd.DataFrame, selected: list[int], columns: list[str]) -> None:
    """The long texts of the selected row, in full."""
    if not selected or selected[0] >= len(frame):
        st.caption("长文字在表格中最多显示三行；点选一行的左侧可在下方查看该行全文。")
        return
    row = frame.iloc[selected[0]]
    with st.container(border=True):
        for column in columns:
            value = row[column]
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            st.markdown(f"**{plain(column)}**：{plain(text) or '—'}")
