"""The account commands as the office runs them: python cli.py user … / users bootstrap."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

import cli
from accounts import users
from db.engine import read_session, write_session
from db.models import Unit, User

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120
    )


def _signs_in(username: str, password: str) -> users.LoginResult:
    with write_session() as session:
        return users.authenticate(session, username, password)


def _main(args: tuple[str, ...], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        return cli.main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_add_list_and_reset_password(
    loaded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_unit = ("user", "add", "--role", "unit", "--username", "yansi", "--unit", "岩寺镇", "--password-stdin")
    done = _cli(*add_unit, stdin="initial-pass-1\n")
    assert done.returncode == 0, done.stderr
    assert "已新建账号 yansi（责任单位）" in done.stdout
    with read_session() as session:  # the real process hashes with the production parameters
        stored = session.exec(select(User.password_hash).where(User.username == "yansi")).one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    add_leader = ("user", "add", "--role", "leader", "--username", "hj", "--leader", "黄劼", "--password-stdin")
    assert _main(add_leader, "initial-pass-2\n", monkeypatch) == 0
    add_admin = ("user", "add", "--role", "admin", "--username", "office", "--password-stdin")
    assert _main(add_admin, "initial-pass-3\n", monkeypatch) == 0
    capsys.readouterr()

    assert _main(("user", "list"), "", monkeypatch) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["office", "督查室", "-"],
        ["hj", "领导", "黄劼"],
        ["yansi", "责任单位", "岩寺镇"],
    ]
    assert all("待修改初始密码" in line for line in lines)

    result = _signs_in("yansi", "initial-pass-1")
    assert result.ok and result.must_change_password

    done = _cli("user", "reset-password", "--username", "yansi", "--password-stdin", stdin="another-pass-9\n")
    assert done.returncode == 0, done.stderr
    assert not _signs_in("yansi", "initial-pass-1").ok
    assert _signs_in("yansi", "another-pass-9").ok


def test_usage_errors_exit_2_and_data_errors_exit_1_with_chinese_messages(
    loaded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = (
        (("user", "add", "--role", "unit", "--username", "x", "--password-stdin"), "须用 --unit 指定所属单位"),
        (("user", "add", "--role", "leader", "--username", "x", "--password-stdin"), "须用 --leader 指定责任领导"),
        (("user", "add", "--role", "admin", "--username", "x", "--unit", "岩寺镇"), "--unit 只用于"),
        (("user", "add", "--role", "boss", "--username", "x", "--password-stdin"), "参数 --role 的值 'boss' 无效"),
        (("users", "bootstrap", "--out", "accounts.csv"), "须为 .xlsx 文件"),
    )
    for args, message in usage:
        assert _main(args, "long-enough-1\n", monkeypatch) == 2, args
        assert message in capsys.readouterr().err

    data = (
        (("user", "add", "--role", "unit", "--username", "x", "--unit", "各乡镇", "--password-stdin"), "是群组"),
        (("user", "add", "--role", "unit", "--username", "x", "--unit", "岩寺", "--password-stdin"), "找不到单位"),
        (("user", "add", "--role", "leader", "--username", "x", "--leader", "张三", "--password-stdin"), "找不到领导"),
        (("user", "reset-password", "--username", "nobody", "--password-stdin"), "没有名为 nobody 的账号"),
    )
    for args, message in data:
        assert _main(args, "long-enough-1\n", monkeypatch) == 1, args
        assert message in capsys.readouterr().err
    add_admin = ("user", "add", "--role", "admin", "--username", "x", "--password-stdin")
    assert _main(add_admin, "short\n", monkeypatch) == 1
    assert "密码至少 8 位" in capsys.readouterr().err
    assert _main(add_admin, "", monkeypatch) == 1
    assert "标准输入中没有读到密码" in capsys.readouterr().err
    with read_session() as session:
        assert session.exec(select(User)).all() == []

    done = _cli(*usage[0][0], stdin="long-enough-1\n")  # the real process: exit code and no traceback
    assert done.returncode == 2 and usage[0][1] in done.stderr
    done = _cli(*data[0][0], stdin="long-enough-1\n")
    assert done.returncode == 1 and done.stderr == "错误：“各乡镇”是群组，不能开设账号；请为其中的具体单位开设。\n"


def test_bootstrap_opens_an_account_for_every_unit_without_one(
    loaded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_unit = ("user", "add", "--role", "unit", "--username", "yansi", "--unit", "岩寺镇", "--password-stdin")
    assert _main(add_unit, "initial-pass-1\n", monkeypatch) == 0
    out = tmp_path / "单位账号.xlsx"
    done = _cli("users", "bootstrap", "--out", str(out))
    assert done.returncode == 0, done.stderr

    with read_session() as session:
        units = session.exec(select(func.count()).select_from(Unit).where(Unit.kind != "群组")).one()
        users = session.exec(select(User).where(User.role == "unit")).all()
        group_ids = set(session.exec(select(Unit.id).where(Unit.kind == "群组")))
    assert len(users) == units  # every unit exactly one account, 岩寺镇 keeps its own
    assert len({u.unit_id for u in users}) == units
    assert not {u.unit_id for u in users} & group_ids
    assert f"已为 {units - 1} 个单位开设账号" in done.stdout

    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("单位", "类别", "用户名", "初始密码", "说明")
    assert len(rows) == units  # header + every unit but 岩寺镇
    by_unit = {row[0]: row for row in rows[1:]}
    assert "岩寺镇" not in by_unit and "各乡镇" not in by_unit
    unit, _, username, password, _ = by_unit["区交通运输局"]
    assert username == unit
    result = _signs_in(username, password)
    assert result.ok and result.must_change_password
    assert len({row[3] for row in rows[1:]}) == len(rows) - 1

    capsys.readouterr()
    assert _main(("users", "bootstrap", "--out", str(tmp_path / "again.xlsx")), "", monkeypatch) == 0
    assert "所有单位都已有账号" in capsys.readouterr().out
    assert not (tmp_path / "again.xlsx").exists()
    assert _main(("users", "bootstrap", "--out", str(out)), "", monkeypatch) == 1
    assert "文件已存在" in capsys.readouterr().err
