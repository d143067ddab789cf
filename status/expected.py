"""Expected progress (应达进度) of a task at the end of a month, and what it was taken from.

**From the plan, by steps.** With a confirmed plan (the plan that counts,
``status.plans.counting_milestones``), the progress expected at the end of month M is the planned
cumulative progress of the last milestone due by the end of M, and 0 before the first one: the
expectation rises at each milestone and stays level between them. Without a confirmed plan it is
序时进度, M/12 of the year (``ExpectedSource.CALENDAR``).

Step rather than a line between milestones: a milestone is what the lead unit committed to by a
date; a line would invent intermediate targets the unit never set, and would call a task planned
to start in autumn behind from the first month on.

Besides the expectation, ``plan_expectation`` gives what the light needs (``status.lights``):
the target of the last milestone due in an earlier month (``overdue``) and the highest target due
in the coming month (``coming``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import CTE, ColumnElement, Float, Select, Subquery, and_, case, extract, func, literal
from sqlalchemy.orm import Mapped
from sqlmodel import col

from core.vocab import ExpectedSource
from db.models import Period
from status.plans import counting_milestones

AnySelect = Select[*tuple[Any, ...]]  # a query of any columns
Ids = AnySelect | list[int]  # ids, as a query or a list
Column = ColumnElement[int] | Mapped[int] | Mapped[int | None]


def plan_expectation(*, periods: Ids, tasks: Ids | None) -> AnySelect:
    """A query, per task with a confirmed plan and period of ``periods``: ``task_id``, ``period_id``,
    ``reached`` (target of the last milestone due by the end of the month; None before the
    first), ``overdue`` (the same for milestones due in earlier months) and ``coming`` (highest
    target of the milestones due in the next month)."""
    plan = counting_milestones()
    due = extract("year", plan.c.due) * 100 + extract("month", plan.c.due)
    month = col(Period.year) * 100 + col(Period.month)
    following = case((col(Period.month) == 12, (col(Period.year) + 1) * 100 + 1), else_=month + 1)
    query = (
        sqlalchemy.select(
            plan.c.task_id,
            col(Period.id).label("period_id"),
            func.max(case((due <= month, plan.c.target))).label("reached"),
            func.max(case((due < month, plan.c.target))).label("overdue"),
            func.max(case((due == following, plan.c.target))).label("coming"),
        )
        .join(Period, col(Period.id).in_(periods))
        .group_by(plan.c.task_id, col(Period.id))
    )
    if tasks is not None:
        query = query.where(plan.c.task_id.in_(tasks))
    return query


def expected_of(plan: Subquery | CTE) -> tuple[ColumnElement[float], ColumnElement[str]]:
    """(expected progress, its ``ExpectedSource`` value) for a row joined (outer) to ``plan``
    (``plan_expectation``, as a subquery or CTE) and to ``Period``."""
    has_plan = plan.c.task_id.is_not(None)
    calendar = col(Period.month) * literal(100.0) / 12
    expected = case((has_plan, func.coalesce(plan.c.reached, literal(0.0, Float()))), else_=calendar)
    source = case((has_plan, ExpectedSource.PLAN.value), else_=ExpectedSource.CALENDAR.value)
    return expected, source


def joins(plan: Subquery | CTE, task_id: Column, period_id: Column) -> ColumnElement[bool]:
    """The outer-join condition of a (task, period) row to ``plan``."""
    return and_(plan.c.task_id == task_id, plan.c.period_id == period_id)
