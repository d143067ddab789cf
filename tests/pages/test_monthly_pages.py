"""模板下载, 上传月报 and 报送设置 through AppTest, with the file uploader, as a unit and as the office."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core import clock
from db.engine import read_session
from db.models import Submission
from tests.monthly_kit import SMALL_UNIT, XLSX_MIME, filled

ROOT = Path(__file__).resolve().parents[2]


def _page(name: str, login_as, role: str = "admin", unit: str = SMALL_UNIT, **params: str) -> AppTest:  # type: ignore[no-untyped-def]
    """Open ``pages/name`` through app.py (its links need the page list), ``params`` in the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role, unit=unit)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{name}")
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, file_name: str, content: bytes, period: str = "2023-03") -> AppTest:
    at.selectbox(key="period").select(period).run()
    at.file_uploader(key="upload_file").set_value((file_name, content, XLSX_MIME)).run()
    at.button(key="upload_submit").click().run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, *columns: str):  # type: ignore[no-untyped-def]
    """The first table with these columns (the online form's editor is a table too)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_unit_uploads_sees_accepted_version_then_duplicate_and_history(loaded, login_as) -> None:
    at = _page("upload.py", login_as, "unit")
    assert "acting_unit" not in [s.key for s in at.selectbox]
    assert f"报送单位：**{SMALL_UNIT}**" in [c.value for c in at.caption]
    _upload(at, "三月.xlsx", filled())
    assert [s.value for s in at.success] == [f"已接收：{SMALL_UNIT} 2023-03 第 1 版，共 4 项任务。"]
    history = at.dataframe[-1].value
    assert list(history["结果"]) == ["通过（当前版本）"]
    assert list(history["上传人"]) == [SMALL_UNIT]
    assert [b.label for b in at.download_button] == ["下载原始文件"]

    at.button(key="upload_submit").click().run()
    assert [i.value for i in at.info] == ["与当前版本（第 1 版）内容完全相同，未生成新版本。"]
    assert len(at.dataframe[-1].value) == 1


def test_unit_sees_every_error_cell_and_gets_an_annotated_copy(loaded, login_as) -> None:
    at = _page("upload.py", login_as, "unit")
    _upload(at, "三月.xlsx", filled(rows={53: {"progress": "约80"}, 78: {"status": "滞后"}}))
    assert at.error[0].value.startswith("未通过校验：共 3 处问题，本次上传未保存任何内容")
    errors = _frame(at, "单元格", "问题")
    assert list(errors["单元格"]) == ["E7", "G10", "H10"]
    assert errors.iloc[0]["填写内容"] == "约80"
    assert errors.iloc[1]["问题"] == "完成状态为“滞后”时，请填写存在问题"
    assert [b.label for b in at.download_button] == ["下载标注副本（问题单元格已标红并附批注）"]
    assert list(at.dataframe[-1].value["结果"]) == ["未通过"]
    with read_session() as session:
        assert session.exec(select(Submission)).first() is None


def test_a_csv_gets_one_message_and_no_annotated_copy(loaded, login_as) -> None:
    at = _page("upload.py", login_as, "unit")
    _upload(at, "三月.csv", "序号,完成进度\n53,80\n".encode("gb18030"))
    errors = _frame(at, "单元格", "问题")
    assert len(errors) == 1 and errors.iloc[0]["问题"].startswith("这是文本（CSV 等）文件")
    assert not at.download_button


def test_office_records_a_platform_file_on_behalf_with_its_received_time(loaded, login_as) -> None:
    at = _page("upload.py", login_as, "admin")
    at.selectbox(key="acting_unit").select(SMALL_UNIT).run()
    at.checkbox(key="intake_platform").check().run()
    at.date_input(key="intake_date").set_value(date(2023, 4, 3))
    at.time_input(key="intake_time").set_value(time(9, 15))
    _upload(at, "公文平台来件.xlsx", filled())
    assert at.success[0].value.startswith(f"已接收：{SMALL_UNIT} 2023-03 第 1 版")
    assert list(at.dataframe[-1].value["上传人"]) == ["督查室（代为录入）"]
    with read_session() as session:
        submission = session.exec(select(Submission)).one()
    assert (submission.on_behalf, submission.received_at, submission.uploaded_by) == (
        True,
        datetime(2023, 4, 3, 9, 15),
        "督查室",
    )


def test_template_page_offers_the_units_template(loaded, login_as) -> None:
    at = _page("template.py", login_as, "unit")
    at.selectbox(key="period").select("2023-09").run()
    assert [b.label for b in at.download_button] == [f"下载 {SMALL_UNIT} 2023-09 月报模板"]
    assert any(c.value.startswith("报送截止：2023-10-05 23:59（") for c in at.caption)

    office = _page("template.py", login_as, "admin")
    office.selectbox(key="acting_unit").select("岩寺镇").run()
    assert office.download_button[0].label.startswith("下载 岩寺镇 ")


def _links(at: AppTest) -> dict[str, str]:
    return {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}


def test_template_page_reads_and_writes_the_month_in_the_url(loaded, login_as, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 3, 9))
    at = _page("template.py", login_as, "unit")
    assert at.selectbox(key="period").value == "2023-03"  # default: the month being reported now
    assert at.query_params["period"] == "2023-03"

    at = _page("template.py", login_as, "unit", period="2023-07")
    assert at.selectbox(key="period").value == "2023-07"
    assert [b.label for b in at.download_button] == [f"下载 {SMALL_UNIT} 2023-07 月报模板"]
    assert _links(at) == {"上传 2023-07 月报 →": "year=2023&period=2023-07"}

    at.selectbox(key="period").select("2023-09").run()
    assert at.query_params["period"] == "2023-09"
    assert _links(at) == {"上传 2023-09 月报 →": "year=2023&period=2023-09"}

    at = _page("template.py", login_as, "unit", period="2023-13")  # not a month offered: the default
    assert at.query_params["period"] == "2023-03"


def test_upload_page_reads_and_writes_the_month_in_the_url(loaded, login_as, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 3, 9))
    at = _page("upload.py", login_as, "unit", period="2023-02")
    assert at.selectbox(key="period").value == "2023-02"
    assert at.subheader[0].value == "2023-02 上传记录"
    assert _links(at) == {"← 下载 2023-02 月报模板": "year=2023&period=2023-02"}

    at.selectbox(key="period").select("2023-03").run()
    assert at.query_params["period"] == "2023-03"
    at.file_uploader(key="upload_file").set_value(("三月.xlsx", filled(), XLSX_MIME)).run()
    at.button(key="upload_submit").click().run()
    assert [s.value for s in at.success] == [f"已接收：{SMALL_UNIT} 2023-03 第 1 版，共 4 项任务。"]
    assert at.query_params["period"] == "2023-03"
    assert _links(at) == {"← 下载 2023-03 月报模板": "year=2023&period=2023-03"}


def _now(monkeypatch, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "now", lambda: moment)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_before_the_deadline_the_pages_count_the_days_and_an_upload_is_on_time(loaded, login_as, monkeypatch) -> None:
    _now(monkeypatch, datetime(2023, 4, 3, 9))
    template = _page("template.py", login_as, "unit")
    assert "报送截止：2023-04-05 23:59（距截止 2 天）　·　开放" in _captions(template)
    assert not template.warning
    at = _page("upload.py", login_as, "unit")
    assert "报送截止：2023-04-05 23:59（距截止 2 天）　·　开放" in _captions(at)
    assert not at.warning
    _upload(at, "三月.xlsx", filled())
    assert [s.value for s in at.success] == [f"已接收：{SMALL_UNIT} 2023-03 第 1 版，共 4 项任务。"]
    assert "按时报送。" in _captions(at)
    assert not any("迟报" in m.value for m in [*at.warning, *at.info])


def test_after_the_deadline_an_upload_is_announced_and_confirmed_late(loaded, login_as, monkeypatch) -> None:
    _now(monkeypatch, datetime(2023, 4, 8, 10))
    template = _page("template.py", login_as, "unit")
    assert "报送截止：2023-04-05 23:59（已过截止）　·　开放" in _captions(template)
    before = (
        "报送截止时间（2023-04-05 23:59）已过，本单位尚未报送 2023-03 月报："
        "现在上传将计为迟报（迟 3 天），按规定扣 0.1 分。"
    )
    assert [w.value for w in template.warning] == [before]
    at = _page("upload.py", login_as, "unit")
    assert [w.value for w in at.warning] == [before]
    _upload(at, "三月.xlsx", filled())
    assert at.success[0].value.startswith("已接收：")
    assert [w.value for w in at.warning] == [
        "本次为迟报：报送截止时间为 2023-04-05 23:59，迟 3 天，按规定扣 0.1 分。如有正当理由，可向督查室申诉。"
    ]

    _now(monkeypatch, datetime(2023, 4, 9, 10))  # a correction the next day: not late again
    at = _page("upload.py", login_as, "unit")
    assert not at.warning
    assert [i.value for i in at.info] == [
        "本月月报已于 2023-04-08 10:00 首次报送，计为迟报（迟 3 天，扣 0.1 分）；再次上传为更正，不另计迟报。"
    ]
    _upload(at, "三月更正.xlsx", filled(progress=70))
    assert at.success[0].value.startswith(f"已接收：{SMALL_UNIT} 2023-03 第 2 版")
    assert not at.warning
    assert [i.value for i in at.info] == [
        "本月月报首次于 2023-04-08 10:00 报送，已计迟报 3 天（扣 0.1 分）；本次为更正，不另计迟报。"
    ]


def test_a_correction_after_the_deadline_of_an_on_time_report_is_not_late(loaded, login_as, monkeypatch) -> None:
    _now(monkeypatch, datetime(2023, 4, 3, 9))
    at = _page("upload.py", login_as, "unit")
    _upload(at, "三月.xlsx", filled())
    _now(monkeypatch, datetime(2023, 4, 8, 10))
    at = _page("upload.py", login_as, "unit")
    assert not at.warning
    assert "本月月报已于 2023-04-03 09:00 按时报送；再次上传为更正，仍计为按时。" in _captions(at)
    _upload(at, "三月更正.xlsx", filled(progress=70))
    assert at.success[0].value.startswith(f"已接收：{SMALL_UNIT} 2023-03 第 2 版")
    assert not at.warning and not any("迟报" in i.value for i in at.info)
    assert "本次为更正；本月首次报送（2023-04-03 09:00）按时，仍计为按时。" in _captions(at)


def test_settings_page_changes_the_rule_and_closes_a_period(loaded, login_as) -> None:
    at = _page("report_settings.py", login_as, "admin")
    at.number_input(key="deadline_day").set_value(10)
    at.toggle(key="roll_to_workday").set_value(True)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已保存，各月份截止时间已重算。"
    table = at.dataframe[0].value
    assert table.iloc[0]["报送截止"] == "2023-02-10 23:59"
    assert table.iloc[4]["报送截止"] == "2023-06-12 23:59"

    at.selectbox(key="period").select("2023-03").run()
    at.button(key="switch_submit").click().run()
    assert at.dataframe[0].value.iloc[2]["状态"] == "已关闭"

    unit = _page("report_settings.py", login_as, "unit")
    assert unit.error[0].value.startswith("无权访问")
    assert not unit.dataframe
