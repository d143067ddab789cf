"""Registry read queries on the real registry."""

from __future__ import annotations

from db.engine import read_session
from db.queries import leader_names, tasks


def test_leaders_in_the_order_the_document_names_them(loaded) -> None:
    with read_session() as session:
        names = leader_names(session)
    assert names[:5] == ["黄劼", "洪晓波", "万顺利", "何建中", "程丽群"]
    assert set(names) == {"黄劼", "洪晓波", "万顺利", "何建中", "程丽群", "方红雨", "王曙辉", "方虹"}


def test_task_views_mark_the_lead_leader_and_lead_unit(loaded) -> None:
    with read_session() as session:
        by_no = {t.no: t for t in tasks(session)}
    assert by_no[20].lead_leader == "何建中"
    assert by_no[20].assisting_leaders == ["黄劼", "万顺利", "程丽群"]
    assert by_no[66].lead_unit == "区财政局"
    assert by_no[66].co_units == ["区税务局", "人行徽州支行", "开发区管委会"]
