"""The official layout every document of the office shares (督查通报, 督办单): A4 page set-up,
fonts (方正小标宋简体 titles, 黑体 headings, 仿宋 text), the red rule under the issuer, tables,
page numbers and the 版记 at the end."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

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

from core.text import clean

ISSUER = "徽州区人民政府督查室"
COPIES_TO = "区委办，区人大办，区政协办，区委督查室"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
RED = RGBColor(0xC0, 0x00, 0x00)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def set_fonts(run: Run, name: str) -> None:
    run.font.name = name
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def add_text(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    color: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(clean(text))
    set_fonts(run, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def add_paragraph(
    doc: DocxDocument, text: str = "", *, font: str = BODY_FONT, size: float = 16, indent: bool = True, **kw: Any
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        add_text(paragraph, text, font=font, size=size, **kw)
    return paragraph


def red_rule(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def add_table(doc: DocxDocument, header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
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
            add_text(
                paragraph, value, size=10.5, bold=cells is header, font=HEADING_FONT if cells is header else BODY_FONT
            )
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    doc.add_paragraph()
    return table


def chinese_language(doc: DocxDocument) -> None:
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


def page_numbers(doc: DocxDocument) -> None:
    """ "— 1 —" centred at the foot of every page, as official documents number their pages."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(footer, "— ", font="宋体", size=14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    add_text(footer, " —", font="宋体", size=14)


def rule(paragraph: Paragraph, *sides: str, size: int = 8) -> None:
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
            line.set(qn(key), value)
        borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def imprint(doc: DocxDocument, issued: date) -> None:
    """The 版记 at the end: who receives copies (抄送) and who issued it when (印发), between rules."""
    copies = add_paragraph(doc, f"抄送：{COPIES_TO}。", size=14, indent=False)
    rule(copies, "top", "bottom")
    printed = add_paragraph(doc, indent=False, size=14)
    add_text(printed, f"{ISSUER}\u3000\u3000\u3000\u3000\u3000\u3000{chinese_date(issued)}印发", size=14)
    rule(printed, "bottom", size=12)


def new_document() -> DocxDocument:
    """An empty A4 document in the official layout: margins, body font, Chinese, page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    chinese_language(doc)
    page_numbers(doc)
    return doc


def saved(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
