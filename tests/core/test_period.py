"""The month value: parsing, writing, ordering and stepping."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.period import Month, PeriodError


def test_parse_and_write() -> None:
    march = Month.parse("2023-03")
    assert march == Month(2023, 3) == Month.parse(" 2023-3 ") == Month.parse(march)
    assert (march.code, march.label, march.short_label, str(march)) == ("2023-03", "2023年3月", "3月", "2023-03")
    assert march.first_day == date(2023, 3, 1)
    assert Month.of(datetime(2023, 12, 31, 23, 59)) == Month(2023, 12)


@pytest.mark.parametrize("text", ["2023-13", "2023-00", "2023/03", "23-03", "2023-03-01", "", "三月"])
def test_malformed_text_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(PeriodError, match="请写成 YYYY-MM"):
        Month.parse(text)
    assert issubclass(PeriodError, ValueError)


def test_a_month_outside_the_calendar_is_refused() -> None:
    with pytest.raises(PeriodError, match="没有这个月份"):
        Month(2023, 13)


def test_order_and_steps() -> None:
    assert Month(2023, 12) < Month(2024, 1) < Month(2024, 2)
    months = [Month(2024, 1), Month(2023, 2), Month(2023, 11)]
    assert sorted(months) == [Month(2023, 2), Month(2023, 11), Month(2024, 1)]
    assert Month(2023, 12).next() == Month(2024, 1)
    assert Month(2024, 1).previous() == Month(2023, 12)
    assert Month(2023, 5).next().previous() == Month(2023, 5)
