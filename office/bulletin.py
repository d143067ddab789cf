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
from datetime import date, datetime
from typing import Any, Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from sqlmodel import Session, func, select

from accounts.access import Actor
from accounts.audit import audit
from core import clock
from core.text import clean
from core.vocab import DeductionKind, TaskStatus
from core.vocab import Lateness as Judgement
from cycle.periods import get_period
from db import queries
from db.models import IssuedBulletin, Period
from office.deductions import REDUCE, Rules, ledger, rules
from status.engine import status_counts, task_states
from status.lateness import Lateness, lateness
from status.rates import Rate, rate_of

ISSUER = "徽州区人民政府督查室"
COPIES_TO = "区委办，区人大办，区政协办，区委督查室"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
BODY_FONT = "仿宋"
RED = RGBColor(0xC0, 0x00, 0x00)
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


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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
    )


# --- the document -------------------------------------------------------------


def _fonts(run: Run, name: str) -> None:
    run.font.name = name
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _text(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    color: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(clean(text))
    _fonts(run, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _paragraph(
    doc: DocxDocument, text: str = "", *, font: str = BODY_FONT, size: float = 16, indent: bool = True, **kw: Any
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _text(paragraph, text, font=font, size=size, **kw)
    return paragraph


def _red_rule(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    """A table with fixed column widths (in cm; text columns wide, counts narrow) whose header row
    repeats at the top of every page it runs onto."""
    table: Table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for cells in [header, *rows]:
        # python-docx leaves Table.add_row unannotated; it returns a _Row like table.rows[0]
        row = table.rows[0] if cells is header else table.add_row()  # type: ignore[no-untyped-call]
        for index, (cell, value) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = Cm(widths[index])
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if len(value) <= 8 else WD_ALIGN_PARAGRAPH.LEFT
            _text(
                paragraph, value, size=10.5, bold=cells is header, font=HEADING_FONT if cells is header else BODY_FONT
            )
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    doc.add_paragraph()
    return table


def _chinese_language(doc: DocxDocument) -> None:
    """Mark the text as Chinese (zh-CN), so an office suite picks Chinese fonts and rules."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    targets = [doc.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
            targets.append(run_defaults.find(qn("w:rPr")))
    for properties in targets:
        language = properties.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            properties.append(language)
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            language.set(qn(attribute), "zh-CN")


def _page_numbers(doc: DocxDocument) -> None:
    """ "— 1 —" centred at the foot of every page, as official documents number their pages."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(footer, "— ", font="宋体", size=14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    _text(footer, " —", font="宋体", size=14)


def _rule(paragraph: Paragraph, *sides: str, size: int = 8) -> None:
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
            line.set(qn(key), value)
        borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _imprint(doc: DocxDocument, issued: date) -> None:
    """The 版记 at the end: who receives copies (抄送) and who issued it when (印发), between rules."""
    copies = _paragraph(doc, f"抄送：{COPIES_TO}。", size=14, indent=False)
    _rule(copies, "top", "bottom")
    printed = _paragraph(doc, indent=False, size=14)
    _text(printed, f"{ISSUER}\u3000\u3000\u3000\u3000\u3000\u3000{chinese_date(issued)}印发", size=14)
    _rule(printed, "bottom", size=12)


def _units_text(rows: list[Lateness], days: bool = False) -> str:
    return "、".join(f"{r.unit}（迟{r.days_late}天）" if days else r.unit for r in rows)


def render(data: BulletinData, *, number: int, additions: Additions | None = None, draft: bool = False) -> bytes:
    """The bulletin as a .docx: 第``number``期, the office's ``additions`` in their places, and
    marked 送审稿 while a ``draft``."""
    extra = (additions or Additions()).cleaned()
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _chinese_language(doc)
    _page_numbers(doc)

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
        f"{'，'.join(f'{s.label}{counts[s]}项' for s in TaskStatus.reportable())}，"
        f"牵头单位{TaskStatus.NOT_REPORTED.label}{counts[TaskStatus.NOT_REPORTED]}项。"
        f"本月应报单位{rate.expected}个，已报送{rate.received}个，"
        f"其中按时报送{rate.on_time}个，报送率{_percent(rate.rate)}，按时报送率{_percent(rate.on_time_rate)}。",
    )
    totals = [str(sum(c.counts[s] for c in data.categories)) for s in TaskStatus]
    _table(
        doc,
        ["分类", "任务数", *TaskStatus.labels()],
        [[c.name, str(c.total), *(str(c.counts[s]) for s in TaskStatus)] for c in data.categories]
        + [["合计", str(data.total), *totals]],
        [6.4, 1.4, 1.5, 1.7, 1.4, 1.5, 1.6],
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

    closing_section = "五"
    if extra.praise or extra.criticism:
        _paragraph(doc, "五、表扬与批评", font=HEADING_FONT)
        for seq, (heading, text) in enumerate(
            ((h, t) for h, t in (("通报表扬", extra.praise), ("通报批评", extra.criticism)) if t), start=1
        ):
            _paragraph(doc, f"（{'一二'[seq - 1]}）{heading}", font=SUBHEADING_FONT)
            for line in _lines(text):
                _paragraph(doc, line)
        closing_section = "六"
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
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


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
