"""The download every table offers: the columns and rows as shown, and no cell a spreadsheet
would evaluate."""

from __future__ import annotations

import io
import json
from datetime import datetime

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from ui.tables import workbook

HOSTILE = [
    "-(cmd|' /C calc'!A0)",
    "-1+(cmd|' /C calc'!A0)",
    '+(HYPERLINK("http://example.invalid","点击"))',
    "-A1",
    "+A1*10",
    "=1+1",
    "@SUM(A1:A2)",
    "\tTAB开头",
]


def _sheet(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_a_downloaded_table_holds_what_was_shown_with_formula_like_text_escaped() -> None:
    frame = pd.DataFrame(
        {
            "单位": [f"单位{i}" for i in range(len(HOSTILE))],
            "存在问题": HOSTILE,
            "完成状态": [["滞后"]] * len(HOSTILE),
            "进度": np.arange(len(HOSTILE), dtype=float) * 10,
            "报送时间": [pd.Timestamp(2023, 4, 3, 9, 30)] + [pd.NaT] * (len(HOSTILE) - 1),
            "欠进度": [True] + [False] * (len(HOSTILE) - 1),
        }
    )
    rows = _sheet(workbook(frame, "测试表"))
    assert rows[0][0].startswith("测试表（截至 ")
    assert rows[1] == ("单位", "存在问题", "完成状态", "进度", "报送时间", "欠进度")
    body = rows[2:]
    assert len(body) == len(HOSTILE)
    assert [r[1] for r in body] == ["'" + text for text in HOSTILE]
    assert all(not str(cell).startswith(("=", "+", "-", "@", "\t")) for r in body for cell in r if cell is not None)
    assert body[0][2:] == ("滞后", 0, datetime(2023, 4, 3, 9, 30), "是")
    assert body[1][4] is None and body[1][5] == "否"


def test_numbers_stay_numbers_and_plain_text_stays_as_typed() -> None:
    frame = pd.DataFrame({"说明": ["-3", "正常文字 =1", "完成 100%"], "扣分": [-0.5, -1.0, 0.0]})
    body = _sheet(workbook(frame, "扣分"))[2:]
    assert [r[1] for r in body] == [-0.5, -1, 0]
    assert body[1][0] == "正常文字 =1" and body[2][0] == "完成 100%"
    assert body[0][0] == "'-3"  # text that starts with a sign stays text


def _table_page() -> None:
    import pandas as pd

    from ui.tables import table

    long = "围绕重点项目建设召开专题推进会，*协调*解决用地、资金等问题，" * 4
    frame = pd.DataFrame({"序号": [1, 2], "主要任务": ["短任务", long], "牵头单位": ["区财政局", "岩寺镇"]})
    table(frame, name="任务", key="tasks", download=False)


def test_long_text_is_wide_and_wrapped_and_a_selected_row_shows_it_in_full() -> None:
    at = AppTest.from_function(_table_page).run()
    assert not at.exception
    shown = at.dataframe[0].proto
    config = json.loads(shown.columns)
    assert config["主要任务"]["width"] == "large" and "牵头单位" not in config  # short text keeps its width
    assert shown.row_height > 64  # Streamlit wraps text in rows taller than 4rem
    assert not [m for m in at.markdown if "主要任务" in m.value]
    at.session_state["tasks"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at = at.run()
    full = [m.value for m in at.markdown if m.value.startswith("**主要任务**")]
    long = "围绕重点项目建设召开专题推进会，*协调*解决用地、资金等问题，" * 4
    assert full == ["**主要任务**：" + long.replace("*", "\\*")]  # in full, as typed (no Markdown)
