"""Every setting is a finite number in its range, whether set from the command line or a page,
and a bad value already stored does not reach the figures."""

from __future__ import annotations

import json
import math

import pytest

import cli
from accounts.access import SYSTEM
from cycle.admin import change_setting
from cycle.settings import SPECS, get_setting, parse_value, setting_problems
from db.engine import read_session, write_session
from db.models import Setting
from office import deductions

NUMERIC = [key for key, spec in SPECS.items() if spec.kind is not bool]
SPECIAL = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "  nan  "]


@pytest.mark.parametrize("key", NUMERIC)
@pytest.mark.parametrize("raw", SPECIAL)
def test_special_floats_are_refused_for_every_setting(key: str, raw: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_value(key, raw)
    assert SPECS[key].label in str(refused.value)


@pytest.mark.parametrize("key", NUMERIC)
def test_out_of_range_is_refused_for_every_setting(key: str) -> None:
    spec = SPECS[key]
    assert spec.low is not None and spec.high is not None
    for raw in (str(spec.low - 1), str(spec.high + 1), "", "abc", "1" * 5000):
        with pytest.raises(ValueError, match=spec.label):
            parse_value(key, raw)
    assert parse_value(key, str(spec.default)) == spec.default


def test_the_page_path_refuses_nan_too(migrated: str) -> None:
    """The deduction rules form (set_rules) and the deadline form go through parse_value."""
    with write_session() as session, pytest.raises(ValueError, match="nan"):
        deductions.set_rules(session, SYSTEM, float("nan"), 0.5, 0.2)
    with write_session() as session, pytest.raises(ValueError, match="nan"):
        change_setting(session, key="lag_margin", value=float("inf"), actor=SYSTEM)
    with read_session() as session:
        assert deductions.rules(session) == deductions.default_rules()


@pytest.mark.parametrize("key", ["deduct_late", "lag_margin", "deduct_missing"])
@pytest.mark.parametrize("raw", ["nan", "inf", "-inf"])
def test_cli_config_set_refuses(loaded: str, key: str, raw: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["config", "set", key, "--", raw]) == 2
    err = capsys.readouterr().err
    assert "不能是 nan、inf" in err
    with read_session() as session:
        assert session.get(Setting, key) is None


def test_a_bad_stored_value_reads_as_the_default_and_is_named(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    with write_session() as session:
        session.add(Setting(key="deduct_late", value="nan"))
        session.add(Setting(key="lag_margin", value="-inf"))
        session.add(Setting(key="deadline_day", value="99"))
    with read_session() as session:
        assert get_setting(session, "deduct_late") == SPECS["deduct_late"].default
        assert get_setting(session, "lag_margin") == SPECS["lag_margin"].default
        assert get_setting(session, "deadline_day") == SPECS["deadline_day"].default
        problems = setting_problems(session)
    assert [p.split("（")[0] for p in problems] == ["设置项 deadline_day", "设置项 deduct_late", "设置项 lag_margin"]
    assert cli.main(["deductions", "--year", "2023", "--as-of", "2023-12-31", "--json"]) == 0
    out = capsys.readouterr().out
    ledgers = json.loads(out)  # strict JSON: no NaN
    assert "NaN" not in out and all(math.isfinite(item["amount"]) for one in ledgers for item in one["items"])
    assert cli.main(["config", "show"]) == 0
    shown = capsys.readouterr()
    assert "deduct_late = 0.1" in shown.out
    assert "'nan' 无效，按默认值 0.1 计" in shown.err
