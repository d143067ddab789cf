"""Issuing the 督查通报: numbers count the year's issued bulletins, an issued one downloads the
same again, the office's additions land in their places; the command and the page."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from accounts.access import SYSTEM
from core import clock
from cycle.periods import get_period
from db.engine import read_session, write_session
from db.models import AuditLog, IssuedBulletin
from office.bulletin import Additions, BulletinError, bulletin, issue, issued, next_number, outline
from tests.conftest import ROOT
from tests.office.conftest import AS_OF
from ui import bulletin_view

ADDITIONS = Additions(
    remarks="总的看，各单位能够按序时推进。\n下一步，请各单位对照节点目标抓好落实。",
    praise="区发改委、岩寺镇报送及时、内容翔实，予以通报表扬。",
    criticism="区审计局等单位漏报，予以通报批评。",
)


def _paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def _issue(code: str, additions: Additions | None = None, as_of: datetime = AS_OF) -> IssuedBulletin:
    with write_session() as session:
        record = issue(session, period_code=code, as_of=as_of, additions=additions, actor=SYSTEM)
        session.expunge(record)
        return record


def test_numbers_count_the_bulletins_issued_in_the_year(known) -> None:
    with read_session() as session:
        draft = bulletin(session, "2023-03", AS_OF)
    assert "第1期（送审稿）" in _paragraphs(draft)
    february = _issue("2023-02")
    march = _issue("2023-03")
    assert (february.number, march.number) == (1, 2)  # not the month numbers
    text = _paragraphs(march.content)
    assert "第2期" in text and not any("送审稿" in line for line in text)
    with read_session() as session:
        assert next_number(session, 2023) == 3 and next_number(session, 2024) == 1
        assert "第3期（送审稿）" in _paragraphs(bulletin(session, "2023-04", AS_OF))
        # Downloading an issued bulletin again gives the very document, whatever the moment.
        assert bulletin(session, "2023-03", datetime(2023, 6, 1)) == march.content
        record = issued(session, "2023-03")
        assert record is not None and record.sha256 == march.sha256 and record.issued_by == SYSTEM.username
        logged = session.exec(select(AuditLog).where(AuditLog.action == "bulletin_issued")).all()
    assert len(logged) == 2 and "2023年第2期" in logged[1].detail
    with pytest.raises(BulletinError, match=r"已于 .* 签发为第2期"):
        _issue("2023-03")


def test_simultaneous_issues_get_distinct_numbers(known) -> None:
    codes = [f"2023-{m:02d}" for m in range(1, 7)]
    with ThreadPoolExecutor(max_workers=len(codes)) as pool:
        numbers = list(pool.map(lambda code: _issue(code).number, codes))
    assert sorted(numbers) == list(range(1, len(codes) + 1))
    with read_session() as session:
        july = get_period(session, "2023-07")
    with pytest.raises(IntegrityError), write_session() as session:  # (year, number) is unique
        session.add(
            IssuedBulletin(
                year=2023,
                number=1,
                period_id=july.id,
                as_of=AS_OF,
                issued_at=AS_OF,
                issued_by="督查室",
                content=b"x",
                sha256="x",
            )
        )


def test_the_offices_additions_go_into_the_document_in_their_places(known) -> None:
    with read_session() as session:
        plain = _paragraphs(bulletin(session, "2023-03", AS_OF))
        added = _paragraphs(bulletin(session, "2023-03", AS_OF, ADDITIONS))
    assert "六、下步要求" in plain and not any("表扬" in line for line in plain)
    section = added.index("六、表扬与批评")
    assert added[section + 1 : section + 5] == [
        "（一）通报表扬",
        ADDITIONS.praise,
        "（二）通报批评",
        ADDITIONS.criticism,
    ]
    closing = added.index("七、下步要求")
    assert added[closing + 1 : closing + 3] == ADDITIONS.remarks.splitlines()
    assert added[closing + 3].startswith("请区发改委针对滞后任务")  # the usual demands follow
    only_praise = Additions(praise="岩寺镇报送及时。")
    with read_session() as session:
        text = _paragraphs(bulletin(session, "2023-03", AS_OF, only_praise))
    assert "（一）通报表扬" in text and "（二）通报批评" not in text and "七、下步要求" in text
    with pytest.raises(BulletinError, match="过长"):
        Additions(remarks="长" * 2001).cleaned()


def test_the_outline_reads_the_document_as_it_is_written(known) -> None:
    record = _issue("2023-03", ADDITIONS)
    blocks = outline(record.content)
    kinds = [b.kind for b in blocks]
    assert blocks[0].kind == "masthead" and blocks[0].text == "督 查 通 报"
    assert blocks[1].text == "第1期"
    assert next(b for b in blocks if b.kind == "title").text.startswith("关于2023年3月")
    assert [b.text for b in blocks if b.kind == "heading"] == [
        "一、总体进展",
        "二、滞后任务",
        "三、迟报、漏报情况",
        "四、扣分情况",
        "五、督查发现问题及整改情况",
        "六、表扬与批评",
        "七、下步要求",
    ]
    assert [b.text for b in blocks if b.kind == "subheading"] == ["（一）通报表扬", "（二）通报批评"]
    tables = [b.rows for b in blocks if b.kind == "table"]
    assert kinds.count("table") == 3 and tables[1][0] == ("序号", "主要任务", "牵头领导", "牵头单位", "存在问题")
    assert tables[1][1][0] == "1"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_writes_drafts_and_issues_with_the_next_number(known, tmp_path: Path) -> None:
    as_of = "2023-04-20T09:00:00+08:00"
    draft = tmp_path / "送审稿.docx"
    result = _cli("bulletin", "--period", "2023-03", "--as-of", as_of, "--out", str(draft))
    assert result.returncode == 0, result.stderr
    assert "送审稿（签发后为第1期" in result.stdout and "迟报单位 2 个，漏报单位 59 个" in result.stdout
    assert "第1期（送审稿）" in _paragraphs(draft.read_bytes())
    with read_session() as session:
        assert issued(session, "2023-03") is None

    out = tmp_path / "第1期.docx"
    args = ["--period", "2023-03", "--as-of", as_of, "--out", str(out), "--issue", "--praise", ADDITIONS.praise]
    result = _cli("bulletin", *args)
    assert result.returncode == 0, result.stderr
    assert "已签发督查通报第1期" in result.stdout
    assert ADDITIONS.praise in _paragraphs(out.read_bytes())
    with read_session() as session:
        record = issued(session, "2023-03")
        assert record is not None and record.content == out.read_bytes() and record.praise == ADDITIONS.praise
        assert record.as_of == datetime(2023, 4, 20, 9)

    again = tmp_path / "再次.docx"
    result = _cli("bulletin", "--period", "2023-03", "--out", str(again))
    assert result.returncode == 0 and "已写出签发的文件" in result.stdout
    assert again.read_bytes() == out.read_bytes()
    for extra in (["--issue"], ["--as-of", as_of], ["--remarks", "改"]):
        result = _cli("bulletin", "--period", "2023-03", "--out", str(tmp_path / "x.docx"), *extra)
        assert result.returncode == 1 and "签发为第1期" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.docx").exists()


def _page(login_as) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at)
    at.query_params["period"] = "2023-03"
    at.switch_page("pages/bulletin.py")
    return at.run()


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_the_page_previews_the_additions_and_shows_the_issued_bulletin(
    known, login_as, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: AS_OF)
    at = _page(login_as)
    assert not at.exception and not at.error
    assert "### :red[督 查 通 报]" in _markdown(at) and "第1期（送审稿）" in _markdown(at)
    at.text_area(key="praise_2023-03").input("区发改委报送及时（内容翔实）。")
    at.text_area(key="remarks_2023-03").input("总的看，推进有力。")
    at = at.button[0].click().run()  # 更新预览
    text = _markdown(at)
    assert r"区发改委报送及时（内容翔实）。" in text and "**六、表扬与批评**" in text and "**七、下步要求**" in text
    assert text.index("**七、下步要求**") + 1 == text.index("总的看，推进有力。")

    # 签发并下载 downloads what this gives, issued as previewed (the same moment and additions).
    actor = login_as(AppTest.from_file(str(ROOT / "app.py")))
    additions = Additions(remarks="总的看，推进有力。", praise="区发改委报送及时（内容翔实）。")
    content = bulletin_view.issue_on_download("2023-03", AS_OF, additions, actor)()
    # The button's callback issues too; whichever comes second gets the issued document.
    assert bulletin_view.issue_now("2023-03", AS_OF, Additions(), actor) == content
    at = _page(login_as)
    assert not at.exception and not at.error
    assert any("本月通报已签发：2023年第1期" in s.value for s in at.success)
    assert not at.text_area and "第1期" in _markdown(at) and "区发改委报送及时（内容翔实）。" in _markdown(at)
    assert [b.proto.label for b in at.get("download_button")] == ["下载督查通报（第1期）", "下载重点任务台账（Excel）"]
    with read_session() as session:
        record = issued(session, "2023-03")
        assert record is not None and record.content == content and record.issued_by == actor.username
