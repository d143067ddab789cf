"""复核 through AppTest: the office returns a report on the 复核 page, the unit sees the return
at once on 上传月报 and 按单位, answers with a new version, the office passes it; bulk 通过; the
count of unreviewed reports on 总览. (That only the office may open the page is checked for
every page by tests/pages/test_access.py.)"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.access import Actor
from core import clock
from cycle.periods import get_period
from db.engine import read_session
from db.queries import resolve_unit
from intake.ingest import ingest_upload
from status.review import review_states
from tests.monthly_kit import SMALL_UNIT, XLSX_MIME, filled

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reported(loaded: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 3, 10))
    for unit in (SMALL_UNIT, "岩寺镇"):
        with read_session() as session:
            row = resolve_unit(session, unit)
            assert row is not None
        result = ingest_upload(
            filled(unit), file_name="三月.xlsx", unit=unit, actor=Actor(unit, "unit", unit_id=row.id)
        )
        assert result.accepted
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 6, 10))
    return loaded


def _page(name: str, login_as, role: str = "admin", unit: str = SMALL_UNIT, **params: str) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role, unit=unit)
    for key, value in {"period": "2023-03", **params}.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{name}")
    at.run()
    assert not at.exception, at.exception
    return at


def _states() -> dict[str, str]:
    with read_session() as session:
        return {s.unit: s.state.code for s in review_states(session, get_period(session, "2023-03")).values()}


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_return_then_new_version_then_pass(reported, login_as) -> None:  # type: ignore[no-untyped-def]
    overview = _page("overview.py", login_as, "leader")
    assert any("本月 2 份待复核" in c.value for c in overview.caption)

    at = _page("review.py", login_as, unit=SMALL_UNIT)
    assert [m.value for m in at.metric][:2] == ["2", "0"]  # 待复核 2, 通过 0
    queue = at.dataframe[0].value
    assert list(queue["单位"]) == ["岩寺镇", SMALL_UNIT] and set(queue["复核状态"]) == {"待复核"}
    at.selectbox(key="review_unit").select(SMALL_UNIT).run()
    at.text_area(key="review_reason").input("第78项进展过于笼统，请补充完成的具体工程量")  # a form: sent on submit
    at.multiselect(key="review_rows").select(78)
    _button(at, "退回").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"已复核：{SMALL_UNIT} 2023-03 第 1 版：退回（退回第 78 项）。"]
    assert _states() == {"岩寺镇": "pending", SMALL_UNIT: "returned"}

    unit = _page("upload.py", login_as, "unit")
    (shown,) = [e.value for e in unit.error]
    assert "2023-03 月报（第 1 版）被督查室退回" in shown
    assert "第78项进展过于笼统" in shown and "退回任务：第 78 项" in shown and "2023-04-11 23:59" in shown
    own = _page("by_unit.py", login_as, "unit")
    assert any("被督查室退回" in e.value for e in own.error)
    other = _page("upload.py", login_as, "unit", unit="岩寺镇")
    assert not other.error  # a unit sees only its own returns

    unit.file_uploader(key="upload_file").set_value(("三月更正.xlsx", filled(progress=70), XLSX_MIME)).run()
    unit.button(key="upload_submit").click().run()
    assert [s.value for s in unit.success] == [f"已接收：{SMALL_UNIT} 2023-03 第 2 版，共 4 项任务。"]
    assert not unit.error
    assert _states()[SMALL_UNIT] == "pending"

    at = _page("review.py", login_as, unit=SMALL_UNIT)
    at.selectbox(key="review_unit").select(SMALL_UNIT).run()
    assert any(f"**{SMALL_UNIT}** 第 2 版" in m.value for m in at.markdown)
    at.button(key="review_pass").click().run()
    assert [s.value for s in at.success] == [f"已复核：{SMALL_UNIT} 2023-03 第 2 版：通过。"]
    assert _states()[SMALL_UNIT] == "passed"


def test_bulk_pass_of_the_reports_without_warnings(reported, login_as) -> None:  # type: ignore[no-untyped-def]
    at = _page("review.py", login_as)
    bulk = at.button(key="review_bulk")
    assert bulk.label == "一键通过没有提醒的 2 份"
    bulk.click().run()
    assert at.success[0].value == f"已通过 2 份月报：岩寺镇、{SMALL_UNIT}。"
    assert _states() == {"岩寺镇": "passed", SMALL_UNIT: "passed"}
    assert at.button(key="review_bulk").disabled


def test_a_return_without_a_reason_is_refused_on_the_page(reported, login_as) -> None:  # type: ignore[no-untyped-def]
    at = _page("review.py", login_as, unit=SMALL_UNIT)
    at.selectbox(key="review_unit").select(SMALL_UNIT).run()
    _button(at, "退回").click().run()
    assert [e.value for e in at.error] == ["退回须写明理由（哪里不符合要求、应如何修改）"]
    assert _states()[SMALL_UNIT] == "pending"
