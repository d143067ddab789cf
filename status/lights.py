"""The light (红黄绿灯) of a task in a month: the one place its rules live.

In order, the first that applies:

1. **green** — 已完成 or 已办结;
2. **red** — the lead unit reports 滞后;
3. **yellow** — 未报送: nothing to judge by, so it asks for attention;
4. **red** — a milestone due in an earlier month is not reached (reported progress below its
   planned progress);
5. **yellow** — behind the expectation (``status.expected``: the plan, or 序时进度 without one)
   by more than the ``lag_margin`` setting (欠进度), or 预警: a milestone due in the coming month
   is far from the reported progress, i.e. its planned progress exceeds it by more than twice
   the margin (more than two margins of progress to make in one month);
6. **green** — otherwise: on plan.

A milestone due within the month itself is judged by rule 5 (the expectation includes it) and,
if still not reached, by rule 4 the month after.
"""

from __future__ import annotations

from sqlalchemy import CTE, ColumnElement, Subquery, case, literal

from core.vocab import Light, TaskStatus

WARNING_MARGINS = 2  # 预警: a coming milestone further than this many margins away


def light_of(
    *,
    rank: ColumnElement[int | None],
    progress: ColumnElement[float | None],
    behind: ColumnElement[bool],
    plan: Subquery | CTE,
    margin: float,
    closed_rank: int,
) -> ColumnElement[str]:
    """The ``Light`` value, for a row with the engine's ``rank``, ``progress`` and ``behind``,
    joined (outer) to ``plan`` (``status.expected.plan_expectation``)."""
    far = margin * WARNING_MARGINS
    return case(
        (rank.in_([TaskStatus.DONE.severity, closed_rank]), Light.GREEN.value),
        (rank == TaskStatus.LAGGING.severity, Light.RED.value),
        (rank.is_(None), Light.YELLOW.value),
        (plan.c.overdue > progress, Light.RED.value),
        (behind, Light.YELLOW.value),
        (plan.c.coming - progress > literal(far), Light.YELLOW.value),
        else_=Light.GREEN.value,
    )
