"""Cached reads for the pages. Every cached function takes the database URL, so two databases
never share an entry; ``clear()`` runs after every write."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db import queries
from db.engine import database_url, read_session


def clear() -> None:
    st.cache_data.clear()


@st.cache_data(show_spinner=False)
def _task_frame(url: str) -> pd.DataFrame:
    with read_session() as session:
        views = queries.tasks(session)
    return pd.DataFrame(
        {
            "序号": v.no,
            "分类": v.category,
            "分类简称": v.category_short,
            "主要任务": v.text,
            "牵头领导": v.lead_leader,
            "协助领导": "、".join(v.assisting_leaders),
            "牵头单位": v.lead_unit,
            "配合单位": "、".join(v.co_units),
            "leaders": v.leaders,
            "units": v.units,
        }
        for v in views
    )


def task_frame() -> pd.DataFrame:
    return _task_frame(database_url())


@st.cache_data(show_spinner=False)
def _leader_names(url: str) -> list[str]:
    with read_session() as session:
        return queries.leader_names(session)


def leader_names() -> list[str]:
    return _leader_names(database_url())
