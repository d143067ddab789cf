"""Tables on the pages, and the one way to take one away.

Streamlit's own table export (the CSV button and copying cells) is switched off
(``client.disableDataExport`` in ``.streamlit/config.toml``): it writes cells raw, so text that a
spreadsheet evaluates would run in the office's Excel. Every table instead offers 下载 Excel,
built by ``office.exports.table_workbook`` with every cell made safe.
"""

from __future__ import annotations

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
    selection event when ``on_select`` is given)."""
    options.setdefault("width", "stretch")
    shown = frame if styled is None else styled
    event = st.dataframe(shown, hide_index=True, column_config=column_config, key=key, **options)
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
