"""A reporting month as a value: ``Month(2023, 3)``, written ``2023-03`` and read 2023年3月.

Every place that parses or writes a period goes through this type, so the format lives here
only: the database's ``Period.code``, the ``?period=`` of a page's URL, the command line's
``--period`` and the file names of templates and exports all use ``Month.code``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self

_CODE = re.compile(r"^(\d{4})-(\d{1,2})$")


class PeriodError(ValueError):
    """A period that is malformed, unknown or closed; the message is for the user."""


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month; ordered by time, so ``Month(2023, 12) < Month(2024, 1)``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise PeriodError(f"没有这个月份：{self.year} 年 {self.month} 月")

    @classmethod
    def parse(cls, text: str | Month) -> Self:
        """``YYYY-MM`` (``2023-03``; ``2023-3`` is taken too), spaces around it ignored."""
        if isinstance(text, Month):
            return cls(text.year, text.month)
        match = _CODE.match(str(text).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise PeriodError(f"月份格式不正确：{text!r}，请写成 YYYY-MM，例如 2023-03")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: date | datetime) -> Self:
        """The month a day or moment falls in."""
        return cls(moment.year, moment.month)

    @property
    def code(self) -> str:
        """``2023-03``: how a period is stored, put in a URL and typed on the command line."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """``2023年3月``: how people read it."""
        return f"{self.year}年{self.month}月"

    @property
    def short_label(self) -> str:
        """``3月``, where the year is plain from the context (a year's columns)."""
        return f"{self.month}月"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def __str__(self) -> str:
        return self.code
