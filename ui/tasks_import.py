"""Pieces of the 任务导入 page: the preview of an uploaded breakdown, and the import through
``registry.importer`` in one write."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from db.engine import read_session, write_session
from db.queries import current_year
from registry import importer
from registry.importer import Preview
from registry.tables import SUFFIXES, blank_workbook
from ui.tables import table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FLASH_KEY = "tasks_import_flash"


def default_year() -> int:
    """The year after the latest one with tasks (the list of a new year arrives in January)."""
    with read_session() as session:
        latest = current_year(session)
    return latest + 1 if latest is not None else clock.now().year


def choose_year() -> int:
    return int(
        st.number_input(
            "年份",
            min_value=importer.MIN_YEAR,
            max_value=importer.MAX_YEAR,
            value=default_year(),
            step=1,
            key="import_year",
        )
    )


def upload() -> tuple[str, bytes] | None:
    uploaded = st.file_uploader(
        "选择任务分解表（Word .docx、Excel .xlsx 或文本 .txt）",
        type=[suffix.lstrip(".") for suffix in SUFFIXES],
        key="import_file",
    )
    return (uploaded.name, uploaded.getvalue()) if uploaded else None


def preview(file_name: str, data: bytes, year: int, create_units: bool) -> Preview | None:
    try:
        with read_session() as session:
            return importer.preview(session, data=data, file_name=file_name, year=year, create_units=create_units)
    except ValueError as exc:
        st.error(str(exc))
        return None


def show_preview(seen: Preview) -> None:
    if seen.tasks:
        st.subheader("读取结果")
        st.caption(seen.summary())
        table(
            pd.DataFrame({"分类": name, "任务数": count} for name, count in seen.counts()),
            name="各分类任务数",
            download=False,
        )
        st.caption(f"责任领导：{'、'.join(seen.leaders())}")
        table(
            pd.DataFrame(
                {
                    "序号": task.no,
                    "分类": task.category,
                    "主要任务": task.text,
                    "牵头领导": task.lead_leader,
                    "责任领导": "、".join(task.leaders),
                    "牵头单位": task.units[0] if task.units else "",
                    "配合单位": "、".join(task.units[1:]),
                }
                for task in seen.tasks
            ),
            name="任务导入预览",
        )
    if seen.new_units:
        st.info("将新建单位：" + "、".join(f"{name}（{kind}）" for name, kind in seen.new_units))
    if seen.problems:
        st.subheader(f"问题（{len(seen.problems)} 处）")
        st.error("文件中有以下问题，改正后重新上传；全部改正之前不会导入。")
        table(
            pd.DataFrame(
                {
                    "位置": p.place or "文件",
                    "序号": p.task,
                    "栏目": p.field,
                    "内容": p.value,
                    "问题": p.message,
                }
                for p in seen.problems
            ),
            name="任务导入问题",
        )


def import_button(actor: Actor, seen: Preview, data: bytes, create_units: bool) -> None:
    if seen.action == importer.SAME:
        st.success(f"{seen.year} 年的任务清单与文件内容完全相同，无需导入。")
        return
    label = f"替换 {seen.year} 年任务清单" if seen.action == importer.REPLACE else f"导入 {seen.year} 年任务清单"
    if seen.action == importer.REPLACE and seen.ok:
        st.warning(f"{seen.year} 年已有任务清单（尚无月报）；导入将以文件内容替换。")
    if not st.button(label, type="primary", disabled=not seen.ok, key="import_submit"):
        return
    try:
        with write_session() as session:
            result = importer.import_breakdown(
                session, actor=actor, data=data, file_name=seen.file_name, year=seen.year, create_units=create_units
            )
    except ValueError as exc:
        st.error(str(exc))
        return
    st.session_state[_FLASH_KEY] = result.message()
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


def blank_download() -> None:
    st.download_button(
        "下载空白任务分解表（.xlsx）",
        blank_workbook(),
        file_name="任务分解表.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        key="download_blank",
    )
