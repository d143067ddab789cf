"""Obligations, lateness and reporting rates on the real registry with known submissions."""

from __future__ import annotations

from datetime import datetime

import pytest

from cycle.periods import get_period
from db.engine import read_session, write_session
from db.models import Exemption
from db.queries import resolve_unit
from registry.obligations import unit_obligations
from status.lateness import judge, lateness
from status.rates import rate_of, rates_by_kind
from tests.factories import add_submission

DUE = datetime(2023, 4, 5, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("first", "as_of", "exempt", "expected"),
    [
        (datetime(2023, 4, 3, 9), datetime(2023, 4, 20), False, ("on_time", 0)),
        (datetime(2023, 4, 5, 23, 59, 59), datetime(2023, 4, 20), False, ("on_time", 0)),
        (datetime(2023, 4, 6, 0, 0, 1), datetime(2023, 4, 20), False, ("late", 1)),
        (datetime(2023, 4, 12, 8), datetime(2023, 4, 20), False, ("late", 7)),
        (None, datetime(2023, 4, 6), False, ("missing", None)),
        (None, datetime(2023, 4, 5, 12), False, ("not_due", None)),
        (datetime(2023, 4, 12), datetime(2023, 4, 10), False, ("missing", None)),  # not yet received then
        (None, datetime(2023, 4, 20), True, ("exempt", None)),
    ],
)
def test_judge(first, as_of, exempt, expected) -> None:
    assert judge(DUE, first, as_of, exempt) == expected


def test_group_entries_oblige_members(loaded) -> None:
    with read_session() as session:
        town = resolve_unit(session, "呈坎镇")
        nos = [o.task_no for o in unit_obligations(session, town.id, 2023)]
        # 呈坎镇 is never named directly; 各乡镇 brings it in (tasks 27, 29, ...), 有关乡镇 does not.
        assert 27 in nos and 29 in nos
        assert 30 not in nos and 48 not in nos
        fgw = resolve_unit(session, "区发改委")
        roles = {o.task_no: o.role for o in unit_obligations(session, fgw.id, 2023)}
        assert roles[1] == "牵头" and roles[10] == "配合"
        group = resolve_unit(session, "各地各单位")
        assert unit_obligations(session, group.id, 2023) == []


def test_lateness_first_submission_decides_and_rates(loaded) -> None:
    add_submission("区发改委", "2023-03", datetime(2023, 4, 3, 10))
    add_submission("区发改委", "2023-03", datetime(2023, 4, 9, 10))  # a later correction
    add_submission("区财政局", "2023-03", datetime(2023, 4, 8, 16))
    add_submission("岩寺镇", "2023-03", datetime(2023, 4, 1, 8))
    with write_session() as session:
        period = get_period(session, "2023-03")
        session.add(
            Exemption(
                unit_id=resolve_unit(session, "区商务局").id,
                period_id=period.id,
                reason="机构调整",
                granted_by="督查室",
                granted_at=datetime(2023, 4, 1),
            )
        )
    with read_session() as session:
        period = get_period(session, "2023-03")
        rows = {r.unit: r for r in lateness(session, period, datetime(2023, 4, 20))}
        early = {r.unit: r for r in lateness(session, period, datetime(2023, 4, 2))}
    assert rows["区发改委"].status == "on_time"
    assert rows["区发改委"].submitted_at == datetime(2023, 4, 3, 10)
    assert (rows["区财政局"].status, rows["区财政局"].days_late) == ("late", 3)
    assert rows["区商务局"].status == "exempt"
    assert rows["区审计局"].status == "missing"
    assert "各地各单位" not in rows and "区市监局" not in rows
    assert early["区发改委"].status == "not_due" and early["岩寺镇"].status == "on_time"

    obliged = len(rows)
    summary = rate_of(rows.values())
    assert summary.expected == obliged - 1
    assert (summary.received, summary.on_time) == (3, 2)
    assert summary.rate == pytest.approx(3 / (obliged - 1))
    towns = rates_by_kind(rows.values())["乡镇"]
    assert (towns.expected, towns.received, towns.on_time) == (7, 1, 1)
