"""Pieces of the 督查通报 page: the bulletin (a draft with the office's additions, or the issued
document), its preview read back from the document itself, issuing, and the 台账."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from cycle.periods import get_period
from db.engine import database_url, read_session, write_session
from office import bulletin as office_bulletin
from office.bulletin import Additions, Block, BulletinData, bulletin_data, outline, render
from office.exports import task_ledger
from ui import data
from ui.tables import plain, table


@dataclass(frozen=True)
class Issued:
    number: int
    issued_at: datetime
    issued_by: str
    additions: Additions


@dataclass(frozen=True)
class Report:
    data: BulletinData  # the figures as of the document's moment
    number: int  # the issued number, or the one a draft would get
    docx: bytes  # the issued document, or the draft (送审稿)
    blocks: list[Block]  # the document as it reads
    xlsx: bytes  # the 台账 of all tasks, as of now
    issued: Issued | None


@data.cached(ttl=60, spinner="正在生成通报…", max_entries=32)
def _bulletin(url: str, revision: int, code: str, remarks: str, praise: str, criticism: str) -> Report:
    now = clock.now()
    with read_session() as session:
        period = get_period(session, code)
        done = office_bulletin.issued(session, code)
        if done is not None:
            figures = bulletin_data(session, code, done.as_of)
            number, content = done.number, done.content
            issued = Issued(
                done.number, done.issued_at, done.issued_by, Additions(done.remarks, done.praise, done.criticism)
            )
        else:
            figures = bulletin_data(session, code, now)
            number = office_bulletin.next_number(session, period.year)
            content = render(figures, number=number, additions=Additions(remarks, praise, criticism), draft=True)
            issued = None
        ledger = task_ledger(session, period, now)
    return Report(figures, number, content, outline(content), ledger, issued)


def bulletin(code: str, additions: Additions) -> Report:
    """The month's bulletin: the issued one, or a draft with ``additions`` (cleaned by the caller)."""
    return _bulletin(database_url(), data.revision(), code, additions.remarks, additions.praise, additions.criticism)


def issue_now(code: str, as_of: datetime, additions: Additions, actor: Actor) -> bytes:
    """Issue the month's bulletin as previewed (the same moment and additions) and return the
    issued document; if it has been issued meanwhile, that document. Safe to call twice."""
    try:
        with write_session() as session:
            return office_bulletin.issue(
                session, period_code=code, as_of=as_of, additions=additions, actor=actor
            ).content
    except office_bulletin.BulletinError:
        with read_session() as session:
            done = office_bulletin.issued(session, code)
            if done is None:
                raise
            return done.content


def issue_on_download(code: str, as_of: datetime, additions: Additions, actor: Actor) -> Callable[[], bytes]:
    """What the 签发并下载 button downloads, made when it is clicked: ``issue_now``. The button's
    callback issues too (``issue_now`` again, before the page reruns), so the page shows the
    issued bulletin whichever of the two comes first."""
    return lambda: issue_now(code, as_of, additions, actor)


def preview(blocks: list[Block]) -> None:
    """The document as it reads: masthead, title, headings, paragraphs and tables in order."""
    with st.container(border=True):
        for index, block in enumerate(blocks):
            if block.kind == "table":
                header, *rows = block.rows
                table(pd.DataFrame(rows, columns=list(header)), name="通报表格", download=False, key=f"preview_{index}")
                continue
            text = plain(block.text)
            shown = {
                "masthead": f"### :red[{text}]",
                "title": f"**{text}**",
                "heading": f"**{text}**",
                "subheading": f"*{text}*",
            }.get(block.kind, text)
            st.markdown(shown, text_alignment=block.align)
