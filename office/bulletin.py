"""督查通报: the monthly bulletin as a Word document in the usual government form, written from
the data as of a given moment, with the office's own additions (remarks, praise, criticism).

**Numbers.** A bulletin's number (第N期) counts the bulletins issued for its year: issuing
(``issue``) gives the month's bulletin the next number under the write lock and stores the very
document, so downloading it again gives the same file. Until then a bulletin is a draft
(送审稿) that shows the number it would get.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from sqlmodel import Session, func, select

from accounts.access import Actor
from accounts.audit import audit
from core import clock
from core.text import clean
from core.vocab import DeductionKind, ReviewState, TaskStatus
from core.vocab import Lateness as Judgement
from cycle.periods import get_period
from db import queries
from db.models import IssuedBulletin, Period
from office.deductions import REDUCE, Rules, ledger, rules
from office.inspections import FindingsSummary, findings_summary
from office.official_doc import DOCX_MIME as DOCX_MIME  # the pages name it by the bulletin
from office.official_doc import (
    HEADING_FONT,
    ISSUER,
    RED,
    TITLE_FONT,
    chinese_date,
    new_document,
    saved,
)
from office.official_doc import add_paragraph as _paragraph
from office.official_doc import add_table as _table
from office.official_doc import add_text as _text
from office.official_doc import imprint as _imprint
from office.official_doc import red_rule as _red_rule
from status.engine import status_counts, task_states
from status.lateness import Lateness, lateness
from status.rates import Rate, rate_of
from status.review import state_counts

SUBHEADING_FONT = "楷体"
DRAFT_MARK = "送审稿"
MAX_ADDITION_CHARS = 2000


class BulletinError(ValueError):
    """The bulletin cannot be issued or changed as asked; the message says why."""


ADDITION_LABELS = {"remarks": "总体评价与工作要求", "praise": "表扬", "criticism": "批评"}


@dataclass(frozen=True)
class Additions:
    """The office's own words: a paragraph of remarks (总体评价、工作要求) that opens the closing
    section, and praise (表扬) and criticism (批评), which get a section of their own."""

    remarks: str = ""
    praise: str = ""
    criticism: str = ""

    def cleaned(self) -> Additions:
        """Control characters removed, ends trimmed; BulletinError when one is too long."""
        values = {}
        for key, label in ADDITION_LABELS.items():
            text = clean(getattr(self, key)).strip()
            if len(text) > MAX_ADDITION_CHARS:
                raise BulletinError(f"“{label}”过长（{len(text)} 字），请精简到 {MAX_ADDITION_CHARS} 字以内")
            values[key] = text
        return Additions(**values)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _amount(value: float) -> str:
    return f"{value:g}"


# --- the numbers --------------------------------------------------------------


@dataclass(frozen=True)
class CategoryLine:
    name: str
    total: int
    counts: dict[TaskStatus, int]


@dataclass(frozen=True)
class LaggingTask:
    no: int
    text: str
    lead_leader: str
    lead_unit: str
    progress_text: str
    problems: str


@dataclass(frozen=True)
class DeductionLine:
    unit: str
    reasons: list[str]
    period_net: float
    year_net: float  # from January to this period


@dataclass(frozen=True)
class BulletinData:
    period: str
    year: int
    month: int
    due_at: datetime
    as_of: datetime
    counts: dict[TaskStatus, int]
    categories: list[CategoryLine]
    lagging: list[LaggingTask]
    rate: Rate
    late: list[Lateness]
    missing: list[Lateness]
    pending: list[Lateness]  # not due yet and not received
    exempt: list[Lateness]
    deductions: list[DeductionLine]
    rules: Rules
    reviews: dict[ReviewState, int]  # the current reports in each review state (status.review)
    findings: FindingsSummary | None = None  # 督查发现问题及整改情况

    @property
    def reviewed(self) -> int:
        """Reports the office has reviewed (通过, 退回 or 退回未改)."""
        return sum(n for state, n in self.reviews.items() if state != ReviewState.PENDING)

    @property
    def review_text(self) -> str:
        """E.g. 本月应报 60 份，已复核 52 份（通过 50 份、退回 2 份），待复核 8 份."""
        parts = [f"{s.label}{self.reviews[s]}份" for s in ReviewState if s != ReviewState.PENDING and self.reviews[s]]
        detail = f"（{'、'.join(parts)}）" if parts else ""
        return (
            f"本月应报{self.rate.expected}份，已复核{self.reviewed}份{detail}，"
            f"{ReviewState.PENDING.label}{self.reviews[ReviewState.PENDING]}份。"
        )

    @property
    def title(self) -> str:
        return f"关于{self.year}年{self.month}月《政府工作报告》重点任务推进情况的通报"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def bulletin_data(session: Session, period_code: str, as_of: datetime) -> BulletinData:
    period: Period = get_period(session, period_code)
    statuses = task_states(session, period, as_of=as_of)
    views = queries.tasks(session, period.year)
    by_category: dict[str, Counter[str]] = {}
    lagging = []
    for view in views:
        status = statuses[view.id]
        by_category.setdefault(view.category_short, Counter())[status.status] += 1
        if status.status == TaskStatus.LAGGING:
            lagging.append(
                LaggingTask(view.no, view.text, view.lead_leader, view.lead_unit, status.progress_text, status.problems)
            )
    categories = [
        CategoryLine(name, sum(counter.values()), {s: counter.get(s, 0) for s in TaskStatus})
        for name, counter in by_category.items()
    ]
    judged = lateness(session, period, as_of)
    deductions = []
    for one in ledger(session, period.year, as_of):
        this_month = [item for item in one.items if item.period == period.code]
        if not this_month:
            continue
        deductions.append(
            DeductionLine(
                one.unit,
                [
                    item.reason + ("（申诉核减）" if item.appeal and item.appeal.decision == REDUCE else "")
                    for item in this_month
                ],
                round(sum(item.net for item in this_month), 4),
                round(sum(item.net for item in one.items if item.period <= period.code), 4),
            )
        )
    return BulletinData(
        period=period.code,
        year=period.year,
        month=period.month,
        due_at=period.due_at,
        as_of=as_of,
        counts=status_counts(statuses.values()),
        categories=categories,
        lagging=lagging,
        rate=rate_of(judged),
        late=[r for r in judged if r.status == Judgement.LATE],
        missing=[r for r in judged if r.status == Judgement.MISSING],
        pending=[r for r in judged if r.status == Judgement.NOT_DUE],
        exempt=[r for r in judged if r.status == Judgement.EXEMPT],
        deductions=deductions,
        rules=rules(session),
        findings=findings_summary(session, year=period.year, as_of=as_of),
        reviews=state_counts(session, period, as_of=as_of),
    )


# --- the document -------------------------------------------------------------


def _spoken(counts: dict[TaskStatus, int]) -> list[TaskStatus]:
    """The statuses the overall sentence names: what units reported, and 已办结 when any."""
    return [s for s in TaskStatus if s in TaskStatus.reportable() or (s is TaskStatus.CLOSED and counts[s])]


def _units_text(rows: list[Lateness], days: bool = False) -> str:
    return "、".join(f"{r.unit}（迟{r.days_late}天）" if days else r.unit for r in rows)


def _findings_section(doc: DocxDocument, summary: FindingsSummary | None) -> None:
    """五、督查发现问题及整改情况: the year's findings by state, and the overdue ones."""
    _paragraph(doc, "五、督查发现问题及整改情况", font=HEADING_FONT)
    if summary is None or not summary.counts.total:
        _paragraph(doc, "本年度督查督导暂未发现需要整改的问题。")
        return
    c = summary.counts
    _paragraph(
        doc,
        f"本年度督查督导共发现问题{c.total}个，已整改销号{c.closed}个，已反馈待核实{c.replied}个，"
        f"待整改{c.open}个，其中逾期未整改{c.overdue}个。",
    )
    if summary.overdue:
        _table(
            doc,
            ["检查日期", "序号", "责任单位", "发现问题", "整改时限"],
            [
                [v.inspection_date.isoformat(), str(v.task_no), v.unit, v.text, v.due.isoformat()]
                for v in summary.overdue
            ],
            [2.4, 1.2, 3.0, 7.0, 2.4],
        )


def render(data: BulletinData, *, number: int, additions: Additions | None = None, draft: bool = False) -> bytes:
    """The bulletin as a .docx: 第``number``期, the office's ``additions`` in their places, and
    marked 送审稿 while a ``draft``."""
    extra = (additions or Additions()).cleaned()
    doc = new_document()

    head = _paragraph(doc, indent=False)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.line_spacing = Pt(60)
    _text(head, "督 查 通 报", font=TITLE_FONT, size=42, color=RED)
    number_line = _paragraph(doc, f"第{number}期" + (f"（{DRAFT_MARK}）" if draft else ""), indent=False)
    number_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = _paragraph(doc, indent=False)
    _text(issuer, f"{ISSUER}\u3000\u3000\u3000\u3000\u3000\u3000{chinese_date(data.as_of.date())}")
    _red_rule(issuer)
    _paragraph(doc, indent=False)

    title = _paragraph(doc, indent=False)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    _text(title, data.title, font=TITLE_FONT, size=22)
    _paragraph(doc, indent=False)
    _paragraph(doc, "各乡镇人民政府，区直各单位：", indent=False)
    _paragraph(
        doc,
        f"根据《政府工作报告》重点任务月报制度，现将{data.year}年{data.month}月重点任务推进情况通报如下。",
    )

    counts, rate = data.counts, data.rate
    _paragraph(doc, "一、总体进展", font=HEADING_FONT)
    _paragraph(
        doc,
        f"截至{chinese_date(data.as_of.date())}，全区{data.total}项重点任务中，"
        f"{'，'.join(f'{s.label}{counts[s]}项' for s in _spoken(counts))}，"
        f"牵头单位{TaskStatus.NOT_REPORTED.label}{counts[TaskStatus.NOT_REPORTED]}项。"
        f"本月应报单位{rate.expected}个，已报送{rate.received}个，"
        f"其中按时报送{rate.on_time}个，报送率{_percent(rate.rate)}，按时报送率{_percent(rate.on_time_rate)}。"
        f"督查室复核月报：{data.review_text}",
    )
    totals = [str(sum(c.counts[s] for c in data.categories)) for s in TaskStatus]
    _table(
        doc,
        ["分类", "任务数", *TaskStatus.labels()],
        [[c.name, str(c.total), *(str(c.counts[s]) for s in TaskStatus)] for c in data.categories]
        + [["合计", str(data.total), *totals]],
        [5.6, 1.3, 1.4, 1.4, 1.7, 1.3, 1.4, 1.4],
    )

    _paragraph(doc, "二、滞后任务", font=HEADING_FONT)
    if data.lagging:
        _paragraph(doc, f"本月共有{len(data.lagging)}项任务进度滞后，具体如下：")
        _table(
            doc,
            ["序号", "主要任务", "牵头领导", "牵头单位", "存在问题"],
            [[str(t.no), t.text, t.lead_leader, t.lead_unit, t.problems or "—"] for t in data.lagging],
            [1.2, 7.0, 1.8, 2.6, 3.4],
        )
    else:
        _paragraph(doc, "本月牵头单位报送的任务中无滞后任务。")

    _paragraph(doc, "三、迟报、漏报情况", font=HEADING_FONT)
    _paragraph(
        doc,
        f"本月月报截止时间为{chinese_date(data.due_at.date())}。"
        + (f"迟报单位{len(data.late)}个：{_units_text(data.late, days=True)}。" if data.late else "无迟报单位。")
        + (f"漏报单位{len(data.missing)}个：{_units_text(data.missing)}。" if data.missing else "无漏报单位。"),
    )
    if data.pending:
        _paragraph(doc, f"尚未到截止时间、暂未报送的单位{len(data.pending)}个：{_units_text(data.pending)}。")
    if data.exempt:
        exempt = "、".join(f"{r.unit}（{r.exemption_reason}）" for r in data.exempt)
        _paragraph(doc, f"经督查室同意免报的单位{len(data.exempt)}个：{exempt}。")

    _paragraph(doc, "四、扣分情况", font=HEADING_FONT)
    r = data.rules
    basis = (
        f"按照考核扣分标准（{DeductionKind.LATE.label}每次扣{_amount(r.late)}分，{DeductionKind.MISSING.label}每次扣"
        f"{_amount(r.missing)}分，年末仍滞后的任务每项扣{_amount(r.lagging)}分），"
    )
    if data.deductions:
        _paragraph(doc, basis + f"本月涉及扣分单位{len(data.deductions)}个，计入年度目标管理考核“推进工作落实”项：")
        _table(
            doc,
            ["单位", "扣分事项", "本月扣分", "本年累计扣分"],
            [[d.unit, "；".join(d.reasons), _amount(d.period_net), _amount(d.year_net)] for d in data.deductions],
            [3.4, 8.0, 2.2, 2.4],
        )
    else:
        _paragraph(doc, basis + "本月无扣分单位。")

    _findings_section(doc, data.findings)

    closing_section = "六"
    if extra.praise or extra.criticism:
        _paragraph(doc, "六、表扬与批评", font=HEADING_FONT)
        for seq, (heading, text) in enumerate(
            ((h, t) for h, t in (("通报表扬", extra.praise), ("通报批评", extra.criticism)) if t), start=1
        ):
            _paragraph(doc, f"（{'一二'[seq - 1]}）{heading}", font=SUBHEADING_FONT)
            for line in _lines(text):
                _paragraph(doc, line)
        closing_section = "七"
    _paragraph(doc, f"{closing_section}、下步要求", font=HEADING_FONT)
    demands = _lines(extra.remarks)
    if data.lagging:
        leads = "、".join(dict.fromkeys(t.lead_unit for t in data.lagging))
        demands.append(f"请{leads}针对滞后任务查找原因，制定整改措施，确保按序时完成。")
    if data.late or data.missing:
        demands.append("请迟报、漏报单位高度重视月报工作，严格按时限报送，未报送的尽快补报。")
    demands.append(
        "各责任单位要对照任务分解，细化推进举措，及时报送工作进展，纸质件经单位主要负责人签字后报送区督查室。"
    )
    for text in demands:
        _paragraph(doc, text)

    _paragraph(doc, indent=False)
    for text in (ISSUER, chinese_date(data.as_of.date())):
        closing = _paragraph(doc, text, indent=False)
        closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, indent=False)
    _imprint(doc, data.as_of.date())
    return saved(doc)


def bulletin(session: Session, period_code: str, as_of: datetime, additions: Additions | None = None) -> bytes:
    """The month's bulletin: the issued document if the month's is issued, else a draft as of
    ``as_of`` with the number it would get."""
    done = issued(session, period_code)
    if done is not None:
        return done.content
    data = bulletin_data(session, period_code, as_of)
    return render(data, number=next_number(session, data.year), additions=additions, draft=True)


# --- issuing ------------------------------------------------------------------


def next_number(session: Session, year: int) -> int:
    """The number the next bulletin issued for ``year`` gets: one more than those issued."""
    last = session.exec(select(func.max(IssuedBulletin.number)).where(IssuedBulletin.year == year)).one()
    return (last or 0) + 1


def issued(session: Session, period_code: str) -> IssuedBulletin | None:
    """The month's issued bulletin, if it has been issued."""
    period = get_period(session, period_code)
    return session.exec(select(IssuedBulletin).where(IssuedBulletin.period_id == period.id)).first()


def issue(
    session: Session, *, period_code: str, as_of: datetime, additions: Additions | None, actor: Actor
) -> IssuedBulletin:
    """Issue (签发) the month's bulletin as of ``as_of`` with the office's ``additions``: the next
    number of its year, the document stored as issued, the act audited. Run it in a
    ``write_session``: the year's periods are locked first, so two issues never count the same
    number (SQLite's write lock does the same); (year, number) is unique besides.

    BulletinError when the month's bulletin has already been issued."""
    period = get_period(session, period_code)
    session.exec(select(Period.id).where(Period.year == period.year).with_for_update()).all()
    done = issued(session, period.code)
    if done is not None:
        raise BulletinError(
            f"{period.code} 的督查通报已于 {clock.fmt(done.issued_at)} 签发为第{done.number}期（{done.issued_by}），"
            "不能再次签发；可重新下载签发的文件"
        )
    extra = (additions or Additions()).cleaned()
    number = next_number(session, period.year)
    content = render(bulletin_data(session, period.code, as_of), number=number, additions=extra)
    sha256 = hashlib.sha256(content).hexdigest()
    assert period.id is not None
    record = IssuedBulletin(
        year=period.year,
        number=number,
        period_id=period.id,
        as_of=as_of,
        issued_at=clock.now(),
        issued_by=actor.username,
        remarks=extra.remarks,
        praise=extra.praise,
        criticism=extra.criticism,
        content=content,
        sha256=sha256,
    )
    session.add(record)
    session.flush()
    audit(
        session,
        actor.username,
        "bulletin_issued",
        {"月份": period.code, "期号": f"{period.year}年第{number}期", "统计时点": clock.fmt(as_of), "sha256": sha256},
    )
    return record


# --- reading a document back ------------------------------------------------------


Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Block:
    """A piece of the document as it reads: ``kind`` is masthead, title, heading, subheading,
    text or table (``rows``: the header row first); ``align`` is left, center or right."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    align: Align = "left"


_KINDS = {TITLE_FONT: "title", HEADING_FONT: "heading", SUBHEADING_FONT: "subheading"}
_ALIGN: dict[WD_ALIGN_PARAGRAPH | None, Align] = {
    WD_ALIGN_PARAGRAPH.CENTER: "center",
    WD_ALIGN_PARAGRAPH.RIGHT: "right",
}


def outline(content: bytes) -> list[Block]:
    """The body of a bulletin (.docx) in order, paragraph by paragraph and table by table: what
    the page shows as the preview is what the document says."""
    document = Document(io.BytesIO(content))
    blocks = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):
            table = Table(element, document)
            blocks.append(Block("table", rows=tuple(tuple(c.text for c in row.cells) for row in table.rows)))
        elif element.tag == qn("w:p"):
            paragraph = Paragraph(element, document)
            text = paragraph.text.strip()
            if not text:
                continue
            font = paragraph.runs[0].font.name if paragraph.runs else None
            kind = _KINDS.get(font or "", "text")
            if kind == "title" and paragraph.runs[0].font.color.rgb == RED:
                kind = "masthead"
            blocks.append(Block(kind, text, align=_ALIGN.get(paragraph.alignment, "left")))
    return blocks
