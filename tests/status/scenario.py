"""A small month of reports whose dashboard figures are worked out by hand in the tests.

2023-02: 区财政局 reports on time, every task 序时推进 50.
2023-03 (序时进度 25 %, 欠进度 below 15 % with the default margin of 10 points):
- 区财政局 (lead of 2, 25, 35, 51, 55, 66, 68, 124; co-unit on 10, 82), on time, twice: the first
  version says 25 is 滞后 20, the current (second) one says 25 is 序时推进 40; both say 2 已完成 100,
  35 序时推进 10, 51 未启动 0, every other task 序时推进 50.
- 区营商环境办 (lead of 56, 65; co-unit on 67, whose lead is an empty group), 5 days late:
  56 滞后 5, 65 序时推进 60, 67 已完成 100.
- 岩寺镇 (co-unit only), on time: 27 滞后 10, everything else 序时推进 50.
"""

from __future__ import annotations

from datetime import datetime

from tests.factories import add_submission

FINANCE = "区财政局"
BUSINESS = "区营商环境办"
TOWN = "岩寺镇"
CATEGORY_FIVE = "（五）抓创新、促改革，让发展动能更加充沛"


def load_scenario() -> None:
    add_submission(FINANCE, "2023-02", datetime(2023, 3, 3, 9))
    march = {2: ("已完成", 100.0), 35: ("序时推进", 10.0), 51: ("未启动", 0.0)}
    add_submission(FINANCE, "2023-03", datetime(2023, 4, 3, 9), {**march, 25: ("滞后", 20.0)})
    add_submission(FINANCE, "2023-03", datetime(2023, 4, 4, 15), {**march, 25: ("序时推进", 40.0)}, text="更正后")
    add_submission(
        BUSINESS,
        "2023-03",
        datetime(2023, 4, 10, 11),
        {56: ("滞后", 5.0), 65: ("序时推进", 60.0), 67: ("已完成", 100.0)},
        text="营商环境",
    )
    add_submission(TOWN, "2023-03", datetime(2023, 4, 2, 16), {27: ("滞后", 10.0)})
