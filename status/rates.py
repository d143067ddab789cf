"""Reporting rates in the manner of DHIS2's reporting-rate summary.

Expected reports are the obliged units of each period whose deadline has passed as of the
given moment, less exempted ones; received counts any accepted report by then; on time counts
those whose first accepted report came by the deadline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.vocab import Lateness as Judgement
from db.models import Period
from status.lateness import Lateness, lateness


@dataclass(frozen=True)
class Rate:
    expected: int
    received: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.expected + other.expected, self.received + other.received, self.on_time + other.on_time)


ZERO = Rate(0, 0, 0)


def rate_of(rows: Iterable[Lateness]) -> Rate:
    """Count a set of lateness rows; rows not yet due and exempt ones are not expected."""
    expected = received = on_time = 0
    for row in rows:
        if row.status in (Judgement.NOT_DUE, Judgement.EXEMPT):
            continue
        expected += 1
        received += row.status in (Judgement.ON_TIME, Judgement.LATE)
        on_time += row.status == Judgement.ON_TIME
    return Rate(expected, received, on_time)


def rates_by_kind(rows: Iterable[Lateness]) -> dict[str, Rate]:
    groups: dict[str, list[Lateness]] = defaultdict(list)
    for row in rows:
        groups[row.kind].append(row)
    return {kind: rate_of(items) for kind, items in groups.items()}


def period_rate(session: Session, period: Period, as_of: datetime) -> Rate:
    return rate_of(lateness(session, period, as_of))


def year_to_date(session: Session, periods: Iterable[Period], as_of: datetime) -> tuple[Rate, dict[str, Rate]]:
    """The overall rate and the rate per unit kind over several periods (e.g. Jan to now)."""
    overall = ZERO
    by_kind: dict[str, Rate] = defaultdict(lambda: ZERO)
    for period in periods:
        rows = lateness(session, period, as_of)
        overall += rate_of(rows)
        for kind, rate in rates_by_kind(rows).items():
            by_kind[kind] += rate
    return overall, dict(by_kind)
