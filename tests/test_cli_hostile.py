"""Every command of cli.py, given hostile arguments, input and environment, answers with a
message and one of the documented exit codes (0, 1 data error, 2 usage error), never a
traceback. The commands are read from the argparse parser, so a new command is covered too."""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import cli
from core import clock
from db.engine import dispose_engines

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_VALUES = [
    "2023-13",
    "0000-01",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "garbage",
    "",
    "/proc/nope/x.xlsx",
    "/nonexistent/dir/x.db",
    "unreadable.xlsx",  # made in the test's folder, mode 000
    "folder.xlsx",  # a directory
    "folder",
    "-1",
    "1" * 5000,
    "nan",
    "\x00",
    "区交通局\u202e",
]
PLAIN = "2023-03"  # arguments that pass argparse, where the environment is what is hostile
SLOW = {("demo",)}  # loads ten months of reports: run only where it stops before any work


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if path:
        yield path, parser  # a command with subcommands may also run by itself (``tasks``)
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaves(child, (*path, name))


def _commands() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for path, parser in _leaves(cli.build_parser()):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs and subs[0].required:
            continue  # only its subcommands run
        found.append((path, parser))
    return found


COMMANDS = _commands()


def _argv(path: tuple[str, ...], parser: argparse.ArgumentParser, value: str) -> list[str]:
    """The command with every argument that takes a value set to ``value`` (choices: the first)."""
    argv = list(path)
    positionals = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) or action.nargs == 0:
            continue
        given = str(next(iter(action.choices))) if action.choices else value
        if action.type is int and not value.lstrip("-").isdigit():
            given = "2023"  # argparse refuses it anyway: let the other arguments be reached
        if action.option_strings:
            argv += [f"{action.option_strings[-1]}={given}"]
        else:
            positionals.append(given)
    return [*argv, "--", *positionals] if positionals else argv


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out + out.err


def _check(argv: list[str], code: int, output: str) -> None:
    assert "Traceback" not in output, (argv, output)
    assert code in (0, 1, 2), (argv, code, output)
    assert cli.UNEXPECTED not in output, (argv, output)  # each case has a message of its own
    assert ": error:" not in output, (argv, output)  # argparse's own errors are in Chinese too


def _hostile_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in ``folder`` (a relative path lands there, never in the repository), with the files
    that the hostile values name."""
    monkeypatch.chdir(folder)
    (folder / "unreadable.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "unreadable.xlsx").chmod(0)
    (folder / "folder.xlsx").mkdir()
    (folder / "folder").mkdir()
    (folder / "not-a-database.db").write_text("这不是数据库\n" * 100)


def test_every_command_is_found() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"backup", "lateness", "user add", "config set", "tasks import", "users bootstrap"} <= names


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_command_with_hostile_arguments(
    loaded: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_folder(tmp_path, monkeypatch)
    for path, parser in COMMANDS:
        if path in SLOW:
            continue
        argv = _argv(path, parser, value)
        _check(argv, *_run(argv, monkeypatch, capsys))


@pytest.mark.parametrize(
    "env",
    [
        {"DUBAN_NOW": "garbage"},
        {"DUBAN_NOW": "9999-12-31T23:59:59-12:00"},
        {"DATABASE_URL": "garbage"},
        {"DATABASE_URL": "sqlite:////proc/nope/duban.db"},
        {"DATABASE_URL": "sqlite:///not-a-database.db"},  # a text file in the test's folder
        {"DATABASE_URL": "postgresql+psycopg://duban:secret-word@127.0.0.1:1/duban"},  # nobody listens
    ],
)
def test_every_command_in_a_hostile_environment(
    loaded: str,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _hostile_folder(tmp_path, monkeypatch)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(clock, "_OFFSET", clock._offset())
    dispose_engines()
    for path, parser in COMMANDS:
        argv = _argv(path, parser, PLAIN)
        code, output = _run(argv, monkeypatch, capsys)
        _check(argv, code, output)
        assert "secret-word" not in output, (argv, output)  # a password in the URL is never shown
        if "DUBAN_NOW" in env:
            assert code == 2 and "DUBAN_NOW" in output, (argv, output)
    dispose_engines()


def _cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_the_cases_of_the_issue(loaded: str, tmp_path: Path) -> None:
    """As a user runs them: each a message of its own, no traceback."""
    huge = _cli("lateness", "--period", "2023-03", "--as-of", "9999-12-31T23:59:59-12:00")
    assert (huge.returncode, huge.stdout) == (2, "")
    assert "时间超出范围" in huge.stderr and "Traceback" not in huge.stderr
    no_input = _cli("user", "add", "--role", "admin", "--username", "x")
    assert no_input.returncode == 1 and "没有读到密码" in no_input.stderr and "Traceback" not in no_input.stderr
    live = tmp_path / "live.db"  # backups are for SQLite, whatever database the suite runs on
    sqlite3.connect(live).execute("CREATE TABLE t (x)").connection.close()
    nowhere = _cli("backup", "/proc/nope/x.db", env={"DATABASE_URL": f"sqlite:///{live}"})
    assert nowhere.returncode == 1 and "无法写入备份 /proc/nope/x.db：文件或目录不存在" in nowhere.stderr
    garbage = _cli("units", env={"DUBAN_NOW": "garbage"})
    assert garbage.returncode == 2 and "DUBAN_NOW" in garbage.stderr and "Traceback" not in garbage.stderr


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "0001-01-01", "9999-12-31"])
def test_moments_out_of_range_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(ValueError, match="时间超出范围"):
        clock.parse_moment(text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lateness"], "缺少必需的参数：--period"),
        (["tasks", "--year", "x"], "参数 --year 应为整数，收到 'x'"),
        (["user", "add", "--role", "boss", "--username", "x"], "参数 --role 的值 'boss' 无效"),
        (["deductions", "--json", "--out", "x.xlsx"], "参数 --out 不能与 --json 同时使用"),
        (["units", "--bogus"], "无法识别的参数：--bogus"),
    ],
)
def test_usage_errors_are_in_chinese(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    assert f"错误：{message}" in capsys.readouterr().err
