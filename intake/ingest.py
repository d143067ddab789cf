"""Ingestion of a monthly report: one transaction per upload, versions, rejected attempts.

The submission with all its rows lands together or not at all (``ingest_many`` puts several
uploads in one transaction, each landing or rejected as it would alone). Uploading again for the same
unit and period makes a new version (``status.engine`` says which version is current); the same
bytes as the current version make none. A rejected upload writes only its record in ``RejectedAttempt``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from accounts.access import AccessDenied, Actor, ensure_may_act_for
from accounts.audit import audit
from core import clock
from core.period import Month
from core.text import unknown_unit
from core.vocab import UnitKind
from db import queries
from db.bulk import insert_rows
from db.engine import lookup_session, read_session, write_session
from db.ids import id_of
from db.models import Period, RejectedAttempt, Submission, SubmissionRow, Unit
from intake.template import RowValues, form_file_name, form_workbook
from intake.validation import Checked, ParsedUpload, Problem, check, read_upload
from status.engine import current_submission

_T = TypeVar("_T")
_SUBMISSION: sqlalchemy.Table = Submission.__table__  # type: ignore[attr-defined]
_SUBMISSION_ROW: sqlalchemy.Table = SubmissionRow.__table__  # type: ignore[attr-defined]


class UsageError(ValueError):
    """The request itself is wrong (unknown unit, impossible time); the message is for the user."""


@dataclass
class IngestResult:
    accepted: bool
    duplicate: bool
    submission_id: int | None
    version: int | None
    rows: int
    errors: list[Problem]
    warnings: list[Problem]
    unit: str | None
    period: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "unit": self.unit,
            "period": self.period,
            "version": self.version,
            "rows": self.rows,
            "warnings": [w.as_json() for w in self.warnings],
        }


def ingest_upload(
    data: bytes,
    *,
    file_name: str,
    unit: str,
    actor: Actor,
    received_at: datetime | None = None,
    period: str | None = None,
    on_behalf: bool = False,
    is_demo: bool = False,
) -> IngestResult:
    """Validate and store one upload for ``unit`` (canonical name or alias).

    Only the office may ingest on a unit's behalf or give the time a file was received; the
    caller's right to act for the unit is checked before the file is read.
    """
    incoming = Incoming(data, file_name, unit, received_at, period, on_behalf, is_demo)
    return ingest_many([incoming], actor=actor)[0]


def ingest_form(
    rows: RowValues,
    header: Mapping[str, str],
    *,
    unit: str,
    actor: Actor,
    period: str,
    received_at: datetime | None = None,
    on_behalf: bool = False,
) -> IngestResult:
    """Validate and store what a unit filled in the online form: ``rows`` by task no (the values
    of ``intake.template.FILL_KEYS``), ``header`` by label (填报人, 联系电话, 单位主要负责人).

    The entries become the unit's template filled with them (``intake.template.form_workbook``),
    which then goes the way of an upload: the same checks, versions and lateness; that workbook
    is the version's file, so every version can be downloaded as the upload's can.
    """
    target, _ = target_unit(unit, actor, on_behalf=on_behalf, received_at=received_at)
    code = Month.parse(period).code
    with read_session() as session:
        data = form_workbook(session, id_of(target), code, rows, header)
    incoming = Incoming(data, form_file_name(target.name, code), target.name, received_at, code, on_behalf)
    return ingest_many([incoming], actor=actor)[0]


@dataclass(frozen=True)
class Incoming:
    """One file to ingest, with what ``ingest_upload`` takes besides the actor."""

    data: bytes
    file_name: str
    unit: str
    received_at: datetime | None = None
    period: str | None = None
    on_behalf: bool = False
    is_demo: bool = False


class BatchRejected(ValueError):
    """A file of an all-or-nothing batch did not pass; nothing of the batch was stored."""

    def __init__(self, result: IngestResult, file_name: str) -> None:
        problems = "；".join(str(e) for e in result.errors[:3])
        super().__init__(f"{file_name} 未通过校验：{problems}")
        self.result = result


def ingest_many(files: Sequence[Incoming], *, actor: Actor, all_or_nothing: bool = False) -> list[IngestResult]:
    """Validate and store ``files`` in one transaction, in order: each lands, or is rejected,
    exactly as it would alone (a later file sees the versions of the earlier ones).

    Every file is checked for access and read before any is stored. With ``all_or_nothing``,
    the first rejected file raises ``BatchRejected`` and nothing is stored, not even the
    record of the rejected attempt."""
    uploads = _prepare(files, actor)
    return retried(lambda: _store(uploads, all_or_nothing))


def target_unit(
    unit: str, actor: Actor, *, on_behalf: bool, received_at: datetime | None
) -> tuple[Unit, datetime | None]:
    """The unit an upload is for (canonical name or alias) and the time it was received, when
    given. Only the office may ingest on a unit's behalf or give the time a file was received;
    the caller's right to act for the unit is checked before any file is read."""
    with lookup_session() as session:
        target = queries.resolve_unit(session, unit)
    if target is None:
        raise UsageError(unknown_unit(unit))
    ensure_may_act_for(actor, id_of(target), target.name)
    if (on_behalf or received_at is not None) and not actor.is_office:
        raise AccessDenied("只有督查室可以代为录入，或指定收件时间")
    if target.kind == UnitKind.GROUP:
        raise UsageError(f"“{target.name}”是群组，请以其成员单位的名义分别报送")
    received = clock.to_local(received_at) if received_at is not None else None
    if received is not None and received > clock.now():
        raise UsageError(f"收件时间 {clock.fmt(received)} 晚于当前时间，请核对")
    return target, received


def retried(store: Callable[[], _T]) -> _T:
    """Run one storing transaction; when another upload for the same unit took its version
    number meanwhile (a unique-key conflict), run it once more, counting again."""
    try:
        return store()
    except IntegrityError:
        return store()


def locked_unit(session: Session, unit_id: int) -> Unit:
    """The unit's row, locked for the transaction: one upload per unit at a time, so versions
    are counted without a race (SQLite's write lock already does this; elsewhere the row is
    locked). Stamp the received time after this, so versions and times agree in order."""
    return session.exec(_locked_unit(), params={"unit_id": unit_id}).one()


@functools.cache
def _locked_unit() -> SelectOfScalar[Unit]:
    return select(Unit).where(col(Unit.id) == bindparam("unit_id")).with_for_update()


@dataclass(frozen=True)
class _Upload:
    data: bytes
    file_name: str
    sha256: str
    received: datetime | None  # given by the office (document platform); else stamped when stored
    actor: Actor
    on_behalf: bool
    is_demo: bool
    unit_id: int
    period: str | None
    parsed: ParsedUpload


def _prepare(files: Sequence[Incoming], actor: Actor) -> list[_Upload]:
    checked: list[tuple[Incoming, int, str | None, datetime | None]] = []
    for incoming in files:
        target, received = target_unit(
            incoming.unit, actor, on_behalf=incoming.on_behalf, received_at=incoming.received_at
        )
        period = Month.parse(incoming.period).code if incoming.period is not None else None
        checked.append((incoming, id_of(target), period, received))
    return [
        _Upload(
            incoming.data,
            incoming.file_name,
            hashlib.sha256(incoming.data).hexdigest(),
            received,
            actor,
            incoming.on_behalf,
            incoming.is_demo,
            unit_id,
            period,
            read_upload(incoming.data),
        )
        for incoming, unit_id, period, received in checked
    ]


def _store(uploads: list[_Upload], all_or_nothing: bool) -> list[IngestResult]:
    with write_session() as session:
        results = []
        for upload in uploads:
            result = _store_one(session, upload)
            if all_or_nothing and not result.accepted:
                raise BatchRejected(result, upload.file_name)
            results.append(result)
        return results


def _store_one(session: Session, upload: _Upload) -> IngestResult:
    unit = locked_unit(session, upload.unit_id)
    received = upload.received or clock.now()
    checked = check(session, upload.parsed, unit, upload.period)
    if checked.errors:
        return _reject(session, upload, received, unit, checked)
    assert checked.period is not None
    period = checked.period
    unit_id, period_id = id_of(unit), id_of(period)
    last_version = max((stored.version for stored in checked.versions), default=0)
    current = next((stored for stored in checked.versions if stored.current), None)
    detail = {"单位": unit.name, "月份": period.code, "文件": upload.file_name, "sha256": upload.sha256}
    if upload.on_behalf:
        detail["代为录入"] = f"收件时间 {clock.fmt(received)}"
    if current is not None and current.sha256 == upload.sha256:
        current_id, current_version = current.id, current.version
        audit(session, upload.actor.username, "upload_accepted", {**detail, "版本": current_version, "重复": True})
        rows = session.exec(select(func.count()).where(SubmissionRow.submission_id == current_id)).one()
        return IngestResult(True, True, current_id, current_version, rows, [], checked.warnings, unit.name, period.code)
    version = last_version + 1
    # Into the table, not through the ORM: one statement that gives the new id back.
    submission_id = session.execute(
        _new_submission(),
        {
            "unit_id": unit_id,
            "period_id": period_id,
            "version": version,
            "received_at": received,
            "uploaded_by": upload.actor.username,
            "on_behalf": upload.on_behalf,
            "is_demo": upload.is_demo,
            "file_name": upload.file_name,
            "size": len(upload.data),
            "sha256": upload.sha256,
            "content": upload.data,
            "filler": checked.filler,
            "phone": checked.phone,
            "head": checked.head,
        },
    ).scalar_one()
    # The rows too, in one statement, with no object per row.
    insert_rows(
        session,
        _SUBMISSION_ROW,
        [
            {
                "submission_id": submission_id,
                "task_id": row.task_id,
                "role": row.role,
                "status": row.status,
                "progress": row.progress,
                "progress_text": row.progress_text,
                "problems": row.problems,
                "next_steps": row.next_steps,
                "remarks": row.remarks,
            }
            for row in checked.rows
        ],
    )
    audit(
        session,
        upload.actor.username,
        "upload_accepted",
        {**detail, "版本": version, "行数": len(checked.rows), "提醒": len(checked.warnings)},
    )
    return IngestResult(
        True,
        False,
        submission_id,
        version,
        len(checked.rows),
        [],
        checked.warnings,
        unit.name,
        period.code,
    )


@functools.cache
def _new_submission() -> sqlalchemy.Insert:
    return sqlalchemy.insert(_SUBMISSION).returning(_SUBMISSION.c.id)


def _reject(
    session: Session,
    upload: _Upload,
    received: datetime,
    unit: Unit,
    checked: Checked,
) -> IngestResult:
    period = checked.period
    if period is None:
        code = upload.period or upload.parsed.meta.get("period")
        period = session.exec(select(Period).where(Period.code == code)).first() if code else None
    session.add(
        RejectedAttempt(
            unit_id=unit.id,
            period_id=period.id if period else None,
            attempted_at=received,
            uploaded_by=upload.actor.username,
            on_behalf=upload.on_behalf,
            file_name=upload.file_name,
            size=len(upload.data),
            sha256=upload.sha256,
            error_count=len(checked.errors),
            errors_json=json.dumps([e.as_json() for e in checked.errors], ensure_ascii=False),
        )
    )
    audit(
        session,
        upload.actor.username,
        "upload_rejected",
        {
            "单位": unit.name,
            "月份": period.code if period else "",
            "文件": upload.file_name,
            "sha256": upload.sha256,
            "问题数": len(checked.errors),
        },
    )
    return IngestResult(False, False, None, None, 0, checked.errors, [], unit.name, period.code if period else None)


# --- history and files ---------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    accepted: bool
    version: int | None
    uploaded_by: str
    on_behalf: bool
    file_name: str
    size: int
    sha256: str
    rows: int
    error_count: int
    submission_id: int | None
    current: bool

    @property
    def result(self) -> str:
        if not self.accepted:
            return "未通过"
        return "通过（当前版本）" if self.current else "通过"


def submission_history(session: Session, unit_id: int, period_id: int) -> list[HistoryEntry]:
    """Accepted versions and rejected attempts of a unit for a period, newest first."""
    submissions = session.execute(
        sqlalchemy.select(
            col(Submission.id),
            col(Submission.version),
            col(Submission.received_at),
            col(Submission.uploaded_by),
            col(Submission.on_behalf),
            col(Submission.file_name),
            col(Submission.size),
            col(Submission.sha256),
        ).where(col(Submission.unit_id) == unit_id, col(Submission.period_id) == period_id)
    ).all()
    counts = dict(
        session.exec(
            select(col(SubmissionRow.submission_id), func.count())
            .join(Submission, col(Submission.id) == col(SubmissionRow.submission_id))
            .where(col(Submission.unit_id) == unit_id, col(Submission.period_id) == period_id)
            .group_by(col(SubmissionRow.submission_id))
        ).all()
    )
    current = current_submission(session, unit_id=unit_id, period_id=period_id, as_of=None)
    entries = [
        HistoryEntry(
            s.received_at,
            True,
            s.version,
            s.uploaded_by,
            s.on_behalf,
            s.file_name,
            s.size,
            s.sha256,
            counts.get(s.id, 0),
            0,
            s.id,
            current is not None and s.id == current.id,
        )
        for s in submissions
    ]
    attempts = session.exec(
        select(RejectedAttempt).where(RejectedAttempt.unit_id == unit_id, RejectedAttempt.period_id == period_id)
    ).all()
    entries += [
        HistoryEntry(
            a.attempted_at,
            False,
            None,
            a.uploaded_by,
            a.on_behalf,
            a.file_name,
            a.size,
            a.sha256,
            0,
            a.error_count,
            None,
            False,
        )
        for a in attempts
    ]
    return sorted(entries, key=lambda e: (e.at, e.accepted, e.version or 0), reverse=True)


def original_file(session: Session, submission_id: int, actor: Actor) -> tuple[str, bytes]:
    """The file name and bytes of a stored version, for its own unit or the office."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise UsageError("没有这个版本")
    ensure_may_act_for(actor, submission.unit_id)
    return submission.file_name, submission.content
