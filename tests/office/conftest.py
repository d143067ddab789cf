"""A month with known submissions on the real registry, for the office workbench tests.

March 2023 (due 2023-04-05, end of day), judged as of 2023-04-20:
- on time: 区发改委 (4-3, corrected 4-9; task 1 滞后 as lead, task 10 滞后 as co-unit),
  岩寺镇 (4-1), 区国投集团 (4-5 noon);
- late: 区财政局 (4-8, 3 days), 潜口镇 (4-10, 5 days);
- exempt: 区商务局;
- missing: the other 59 of the 65 obliged units (区审计局 tried once and was rejected).
April 2023: 岩寺镇 reported early (4-18); nothing else is due yet.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from accounts.access import SYSTEM
from cycle.periods import get_period
from db.engine import write_session
from db.models import RejectedAttempt
from db.queries import resolve_unit
from office.exemptions import grant_exemption
from office.paper import record_paper_copy
from tests.factories import add_submission

AS_OF = datetime(2023, 4, 20, 9, 0)
OBLIGED = 65
ON_TIME = {"区发改委", "岩寺镇", "区国投集团"}
LATE = {"区财政局", "潜口镇"}
EXEMPT = {"区商务局"}
FORMULA_TEXT = '=HYPERLINK("http://example.com","点击")'


def unit_id(name: str) -> int:
    with write_session() as session:
        unit = resolve_unit(session, name)
        assert unit is not None, name
        return unit.id


@pytest.fixture
def known(loaded: str) -> str:
    add_submission("区发改委", "2023-03", datetime(2023, 4, 3, 10), uploaded_by="发改委-王五")
    add_submission(
        "区发改委",
        "2023-03",
        datetime(2023, 4, 9, 10),
        {1: ("滞后", 20.0), 10: ("滞后", 10.0)},
        uploaded_by="督查室",
        text=FORMULA_TEXT,
    )
    add_submission("岩寺镇", "2023-03", datetime(2023, 4, 1, 8))
    add_submission("区国投集团", "2023-03", datetime(2023, 4, 5, 12))
    add_submission("区财政局", "2023-03", datetime(2023, 4, 8, 16))
    add_submission("潜口镇", "2023-03", datetime(2023, 4, 10, 9))
    add_submission("岩寺镇", "2023-04", datetime(2023, 4, 18, 15))
    with write_session() as session:
        grant_exemption(session, SYSTEM, resolve_unit(session, "区商务局").id, "2023-03", "机构调整")
        record_paper_copy(session, SYSTEM, resolve_unit(session, "区财政局").id, "2023-03", date(2023, 4, 12))
        period = get_period(session, "2023-03")
        session.add(
            RejectedAttempt(
                unit_id=resolve_unit(session, "区审计局").id,
                period_id=period.id,
                attempted_at=datetime(2023, 4, 4, 11),
                uploaded_by="审计局",
                file_name="月报.xlsx",
                size=100,
                sha256="0" * 64,
                error_count=2,
                errors_json="[]",
            )
        )
    return loaded
