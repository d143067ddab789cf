"""The parsed 2023 registry, checked against a reading of the source document."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from registry.catalogue import SeedError, UnitCatalog, load_units
from registry.parser import DEFAULT_DOCUMENT, YEAR, ParsedRegistry, Repair, load_registry, parse_document

DOCUMENT_SHA256 = "3d15886332de7defb37249846706c8dd53be0f131602a612f00e98d54bd84c6e"
DOC_LINES = DEFAULT_DOCUMENT.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def registry() -> ParsedRegistry:
    return load_registry()


@pytest.fixture(scope="module")
def catalog() -> UnitCatalog:
    return load_units()


def test_document_is_the_unchanged_source() -> None:
    assert hashlib.sha256(DEFAULT_DOCUMENT.read_bytes()).hexdigest() == DOCUMENT_SHA256
    assert len(DOC_LINES) == 1356


def test_tasks_are_numbered_1_to_125(registry: ParsedRegistry) -> None:
    assert registry.year == YEAR == 2023
    assert [task.no for task in registry.tasks] == list(range(1, 126))


def test_categories(registry: ParsedRegistry) -> None:
    assert [(c.seq, c.name, c.short) for c in registry.categories] == [
        (0, "主要预期目标", "主要预期目标"),
        (1, "（一）抓转型、促升级，让工业脊梁更加挺拔", "（一）抓转型、促升级"),
        (2, "（二）抓三农、促振兴，让农业基底更加坚实", "（二）抓三农、促振兴"),
        (3, "（三）抓文旅、促融合，让徽州山水更加多彩", "（三）抓文旅、促融合"),
        (4, "（四）抓项目、促投资，让增长之势更加稳固", "（四）抓项目、促投资"),
        (5, "（五）抓创新、促改革，让发展动能更加充沛", "（五）抓创新、促改革"),
        (6, "（六）抓统筹、促扩能，让城乡发展更加协调", "（六）抓统筹、促扩能"),
        (7, "（七）抓转化、促提升，让生态底色更加鲜明", "（七）抓转化、促提升"),
        (8, "（八）抓民生、促和谐，让人民生活更加美好", "（八）抓民生、促和谐"),
        (9, "（九）加强政府自身建设", "（九）加强政府自身建设"),
    ]


def test_tasks_per_category(registry: ParsedRegistry) -> None:
    counts = Counter(task.category for task in registry.tasks)
    assert [counts[c.name] for c in registry.categories] == [9, 17, 10, 10, 9, 13, 18, 10, 20, 9]
    firsts = {c.name: next(t.no for t in registry.tasks if t.category == c.name) for c in registry.categories}
    assert list(firsts.values()) == [1, 10, 27, 37, 47, 56, 69, 87, 97, 117]


@pytest.mark.parametrize(
    ("no", "line", "text"),
    [
        (1, 23, "地区生产总值增长8.5%以上。"),
        (37, 350, "以“大黄山”建设为契机，着力构建“山、水、村、夜”为主体的文旅产业新坐标系。"),
        (82, 848, "将海绵城市理念融入城北新城建设，力争全区海绵城市化率达40%以上。"),
        (
            125,
            1345,
            "加强审计监督，突出重点领域、重要部门、关键岗位廉政风险防控，营造崇廉尚实的干事氛围，永葆清正廉洁的政治本色。",
        ),
    ],
)
def test_task_text_and_line(registry: ParsedRegistry, no: int, line: int, text: str) -> None:
    task = registry.tasks[no - 1]
    assert (task.line, task.text) == (line, text)


# One row per task: no, lead leader, leaders, lead unit, units ("/"-separated, listed order).
# Read off the document; comments give the source lines and what is special about the row.
TASK_TABLE = [
    (1, "黄劼", "黄劼/洪晓波/万顺利/何建中/程丽群", "区发改委", "区发改委"),  # 23-34, names with spaces
    (2, "黄劼", "黄劼/洪晓波/万顺利/何建中/程丽群", "区财政局", "区财政局"),  # blank leader cell
    (9, "黄劼", "黄劼/洪晓波/万顺利/何建中/程丽群", "区农业农村局", "区农业农村局"),  # blank leader cell
    (10, "程丽群", "万顺利/程丽群", "开发区管委会", "开发区管委会/区发改委/区自然资源和规划分局/区财政局"),
    (13, "万顺利", "万顺利/程丽群", "开发区管委会", "开发区管委会/区开投公司"),
    (14, "方红雨", "方红雨", "西溪南镇", "西溪南镇/区开投公司"),
    (20, "何建中", "黄劼/何建中/万顺利/程丽群", "开发区管委会", "开发区管委会/区发改委/区农业农村局/区科技经信局"),
    (25, "黄劼", "黄劼", "区财政局", "区财政局/区推进企业上市服务专班成员单位"),  # 251+253 split
    (27, "何建中", "黄劼/方红雨/何建中", "区农业农村局", "区农业农村局/区发改委/区自然资源和规划分局/各乡镇"),
    (28, "何建中", "何建中", "区农业农村局", "区农业农村局/区农业产业发展中心/开发区管委会/各乡镇"),
    (30, "何建中", "何建中", "区农业农村局", "区农业农村局/有关乡镇"),
    (33, "何建中", "方红雨/何建中", "区农业农村局", "区农业农村局/区住建局/区水利局/各乡镇"),
    (36, "何建中", "何建中", "区农业农村局", "区农业农村局/区文旅体局/区委组织部/区浪漫红文旅集团/各乡镇"),
    (37, "何建中", "何建中", "区文旅体局", "区文旅体局/区文旅融合发展中心"),
    (38, "何建中", "何建中", "区文旅体局", "区文旅体局/区文旅融合发展中心/各乡镇"),  # 362 glued
    (
        40,
        "何建中",
        "黄劼/何建中",
        "区文旅体局",
        "区文旅体局/区文旅融合发展中心/区浪漫红文旅集团/大灵山综合开发领导小组成员单位",
    ),  # 382+384 split
    (
        41,
        "何建中",
        "方红雨/何建中",
        "区文旅体局",
        "区文旅体局/区文旅融合发展中心/区浪漫红文旅集团/区住建局/区国投集团/岩寺镇",
    ),
    (44, "洪晓波", "洪晓波", "区市场监管局", "区市场监管局"),  # alias 区市监局
    (
        45,
        "何建中",
        "黄劼/洪晓波/何建中",
        "区文旅体局",
        "区文旅体局/区市场监管局/区商务局/区国投集团/区浪漫红文旅集团",
    ),  # alias 区市监局
    (
        46,
        "何建中",
        "洪晓波/何建中",
        "区文旅体局",
        "区文旅体局/区市场监管局/区国投集团/区浪漫红文旅集团/岩寺镇/西溪南镇/潜口镇",
    ),  # alias 区市监局
    (
        47,
        "方红雨",
        "方红雨/万顺利/程丽群",
        "区自然资源和规划分局",
        "区自然资源和规划分局/开发区管委会/区发改委/区林业局/各乡镇",
    ),  # 458 glued
    (48, "程丽群", "万顺利/程丽群", "区科技经信局", "区科技经信局/开发区管委会/区发改委/各有关乡镇"),
    (
        52,
        "程丽群",
        "万顺利/程丽群",
        "区投资促进发展中心",
        "区投资促进发展中心/区浪漫红文旅集团/区直各单位/各乡镇",
    ),  # 514 glued
    (53, "黄劼", "黄劼/方红雨/何建中", "区发改委", "区发改委/区文旅体局/区住建局/区交通运输局/区农业农村局"),
    (56, "黄劼", "黄劼/洪晓波", "区营商环境办", "区营商环境办/区市场监管局/区数据资源局/区委编办"),
    (58, "洪晓波", "洪晓波", "区数据资源局", "区数据资源局"),
    (60, "黄劼", "黄劼/洪晓波/程丽群", "区双创办", "区双创办/区市场监管局"),  # alias 区市监局
    (63, "黄劼", "黄劼/程丽群", "区商务局", "区商务局/区投资促进发展中心/区政府办"),  # alias 区政府办（外事办）
    (66, "黄劼", "黄劼/程丽群", "区财政局", "区财政局/区税务局/人行徽州支行/开发区管委会"),  # 654+656 split
    (67, "黄劼", "黄劼", "区“四送一服”领导小组成员单位", "区“四送一服”领导小组成员单位/区营商环境办"),  # 661+663 split
    (
        69,
        "方红雨",
        "方红雨",
        "区自然资源和规划分局",
        "区自然资源和规划分局/区住建局/区交通运输局/岩寺镇/西溪南镇/潜口镇",
    ),  # alias 区交通局
    (
        75,
        "方红雨",
        "黄劼/方红雨",
        "区住建局",
        "区住建局/区发改委/区自然资源和规划分局/区交通运输局/区供电中心/区国投集团/岩寺镇/西溪南镇/潜口镇",
    ),
    (78, "方红雨", "方红雨", "区交通运输局", "区交通运输局/徽州区公路分中心/沿线各乡镇"),
    (
        80,
        "方红雨",
        "方红雨/何建中",
        "区住建局",
        "区住建局/区自然资源和规划分局/区水利局/区农业农村局/区房地产事务中心/岩寺镇/区国投集团",
    ),
    (
        84,
        "方红雨",
        "黄劼/方红雨/王曙辉/洪晓波",
        "区城管局",
        "区城管局/区应急管理局/区公安局/区数据资源局/区房地产事务中心/岩寺镇/社区办",
    ),  # alias 区应急局
    (
        85,
        "方红雨",
        "方红雨/方虹/程丽群",
        "区城管局",
        "区城管局/社区办/区文明办/区生态环境分局/区卫生健康委/区融媒体中心/岩寺镇",
    ),
    (
        88,
        "程丽群",
        "方红雨/万顺利/何建中/程丽群",
        "区生态环境分局",
        "区生态环境分局/区住建局/区城管局/区农业农村局/区水利局/区林业局/各乡镇",
    ),  # alias 区城管执法局
    (
        89,
        "程丽群",
        "黄劼/万顺利/程丽群",
        "区生态环境分局",
        "区生态环境分局/区国投集团/区新保中心/区水利局/区望丰专班成员单位",
    ),
    (90, "程丽群", "万顺利/程丽群", "区生态环境分局", "区生态环境分局/区环委会成员单位/各乡镇"),
    (
        93,
        "黄劼",
        "黄劼/方虹/洪晓波/万顺利/何建中/程丽群",
        "区发改委",
        "区发改委/区文旅体局/区卫生健康委/区教育局/区民政局/区生态环境分局/区投资促进发展中心",
    ),  # alias 区投促中心
    (95, "黄劼", "黄劼/万顺利/程丽群", "区地方金融监管局", "区地方金融监管局/区生态环境分局"),  # 1107 glued
    (96, "何建中", "万顺利/何建中/程丽群", "区发改委", "区发改委/区生态环境分局/区林业局"),
    (97, "方虹", "方虹", "区卫生健康委", "区卫生健康委/区疫指办/区疫情防控指挥部成员单位"),
    (98, "黄劼", "黄劼", "区发改委", "区发改委/各专项行动牵头单位"),
    (100, "方虹", "方虹/洪晓波", "区人社局", "区人社局/区医保局"),
    (
        102,
        "洪晓波",
        "洪晓波",
        "区食安创建指挥部办公室",
        "区食安创建指挥部办公室/区食安创建指挥部成员单位/各乡镇/社区办",
    ),
    (105, "何建中", "何建中", "区文物局", "区文物局/区文旅体局/各乡镇"),
    (
        109,
        "王曙辉",
        "王曙辉",
        "区委政法委",
        "区委政法委/区扫黑除恶斗争领导小组成员单位/各乡镇/社区办",
    ),  # 1213+1215 split
    (112, "黄劼", "黄劼/王曙辉", "区应急管理局", "区应急管理局/区安委会成员单位/各乡镇/社区办"),
    (116, "王曙辉", "方红雨/王曙辉", "区人武部", "区人武部/区发改委/区退役军人事务局/各乡镇/社区办"),
    (117, "黄劼", "黄劼", "区政府办", "区政府办/各地各单位"),
    (118, "黄劼", "黄劼/洪晓波", "区政府办", "区政府办/区数据资源局/各地各单位"),  # alias 区数字资源局
    (124, "黄劼", "黄劼", "区财政局", "区财政局/各地各单位"),
    (125, "黄劼", "黄劼", "区纪委监委", "区纪委监委/区审计局/区政府办/各地各单位"),
]


@pytest.mark.parametrize(("no", "lead_leader", "leaders", "lead_unit", "units"), TASK_TABLE)
def test_task_table(
    registry: ParsedRegistry, no: int, lead_leader: str, leaders: str, lead_unit: str, units: str
) -> None:
    task = registry.tasks[no - 1]
    assert task.no == no
    assert task.lead_leader == lead_leader
    assert task.leaders == tuple(leaders.split("/"))
    assert task.lead_unit == lead_unit
    assert task.units == tuple(units.split("/"))


def test_task_table_covers_every_category(registry: ParsedRegistry) -> None:
    covered = {registry.tasks[row[0] - 1].category for row in TASK_TABLE}
    assert covered == {c.name for c in registry.categories}


def test_blank_leader_cells_continue_the_block_above(registry: ParsedRegistry) -> None:
    first = registry.tasks[0]
    for task in registry.tasks[1:9]:
        assert (task.leaders, task.lead_leader) == (first.leaders, first.lead_leader)


def test_lead_leader_is_always_listed(registry: ParsedRegistry) -> None:
    leaders = set()
    for task in registry.tasks:
        assert task.lead_leader in task.leaders
        leaders.update(task.leaders)
    assert leaders == {"黄劼", "洪晓波", "万顺利", "何建中", "程丽群", "方红雨", "王曙辉", "方虹"}


def test_every_damaged_name_is_repaired(registry: ParsedRegistry) -> None:
    assert registry.repairs == (
        Repair(251, ("区推进企业上市", "服务专班成员单位"), ("区推进企业上市服务专班成员单位",)),
        Repair(362, ("区文旅融合发展中心各乡镇",), ("区文旅融合发展中心", "各乡镇")),
        Repair(382, ("大灵山综合开发领导", "小组成员单位"), ("大灵山综合开发领导小组成员单位",)),
        Repair(458, ("区自然资源和规划分局开发区管委会",), ("区自然资源和规划分局", "开发区管委会")),
        Repair(514, ("区投资促进发展中心区浪漫红文旅集团",), ("区投资促进发展中心", "区浪漫红文旅集团")),
        Repair(654, ("人行徽州支行开", "发区管委会"), ("人行徽州支行", "开发区管委会")),
        Repair(661, ("区“四送一服”领导", "小组成员单位"), ("区“四送一服”领导小组成员单位",)),
        Repair(1107, ("区地方金融监管局区生态环境分局",), ("区地方金融监管局", "区生态环境分局")),
        Repair(1213, ("区扫黑除恶斗争", "领导小组成员单位"), ("区扫黑除恶斗争领导小组成员单位",)),
    )


def _splits_into_known_names(name: str, labels: set[str]) -> bool:
    """Whether `name` is a concatenation of two or more of `labels`."""
    for label in labels:
        rest = name[len(label) :]
        if label != name and name.startswith(label) and (rest in labels or _splits_into_known_names(rest, labels)):
            return True
    return False


def test_no_fragment_or_glued_names(registry: ParsedRegistry, catalog: UnitCatalog) -> None:
    used = {unit for task in registry.tasks for unit in task.units}
    labels = set(catalog.labels())
    for unit in used:
        assert catalog.resolve(unit) == unit, f"{unit} is not a canonical name"
        assert not unit.endswith("开") and not unit.startswith("发区")
        assert not _splits_into_known_names(unit, labels - {unit}), unit
    assert "人行徽州支行" in used and "开发区管委会" in used


def test_units_are_unique_within_each_task(registry: ParsedRegistry) -> None:
    for task in registry.tasks:
        assert len(set(task.units)) == len(task.units), task.no


def test_every_catalogued_unit_is_used(registry: ParsedRegistry) -> None:
    used = {unit for task in registry.tasks for unit in task.units}
    used |= {member for spec in registry.catalog.units for member in spec.members}
    assert {spec.name for spec in registry.catalog.units} - used == set()


def test_alias_and_canonical_in_one_task_count_once(catalog: UnitCatalog) -> None:
    text = _broken({564: ("区委编办", "区市监局")})
    task = parse_document(text, catalog).tasks[55]
    assert task.units == ("区营商环境办", "区市场监管局", "区数据资源局")


# ── strict errors on broken copies of the real document ──────────────────


def _broken(edits: dict[int, tuple[str, str]], *, drop: range = range(0)) -> str:
    """The document with lines replaced ({line: (old, new)}) and a block of lines dropped."""
    lines = list(DOC_LINES)
    for number, (old, new) in edits.items():
        assert lines[number - 1] == old, (number, lines[number - 1])
        lines[number - 1] = new
    return "\n".join(line for number, line in enumerate(lines, 1) if number not in drop)


def _error(text: str, catalog: UnitCatalog) -> SeedError:
    with pytest.raises(SeedError) as caught:
        parse_document(text, catalog)
    return caught.value


@pytest.mark.parametrize(
    ("edits", "line", "message"),
    [
        pytest.param({39: ("\t区财政局", "")}, 36, "第2项任务缺少责任单位", id="task-2-without-units"),
        pytest.param({1224: ("\t区司法局", "")}, 1221, "第110项任务缺少责任单位", id="task-110-without-units"),
        pytest.param({1056: ("\t93", "\t94")}, 1056, "序号应为93，实际印的是94", id="wrong-number"),
        pytest.param({1056: ("\t93", "\t")}, 1056, "第93项任务缺少序号", id="missing-number"),
        pytest.param({1060: (" 方  虹", "▲方  虹")}, 1060, "第93项任务有两个牵头领导", id="second-lead-mark"),
        pytest.param({82: ("▲程丽群", "程丽群")}, 80, "没有用▲标出牵头领导", id="no-lead-mark"),
        pytest.param({1224: ("\t区司法局", "\t区法务局")}, 1224, "无法识别的责任单位“区法务局”", id="unknown-unit"),
        pytest.param(
            {1107: ("\t区地方金融监管局区生态环境分局", "\t区地方金融监管局区环保局")},
            1107,
            "无法识别的责任单位“区地方金融监管局区环保局”",
            id="unknown-glued-unit",
        ),
        pytest.param(
            {656: ("发区管委会", "发区委员会")}, 654, "无法识别的责任单位“人行徽州支行开”", id="split-not-a-name"
        ),
        pytest.param({1020: ("区望丰专班成员单位 ", "区望丰专班")}, 1020, "区望丰专班", id="unknown-last-unit"),
        pytest.param(
            {
                25: ("\t▲黄  劼", "\t"),
                27: (" 洪晓波", ""),
                29: (" 万顺利", ""),
                31: (" 何建中", ""),
                33: (" 程丽群", ""),
            },
            23,
            "第1项任务没有责任领导，上方也没有可沿用的领导",
            id="first-task-without-leaders",
        ),
        pytest.param(
            {80: ("\t 万顺利", "\t"), 82: ("▲程丽群", "")},
            78,
            "第10项任务没有责任领导",
            id="no-leader-block-across-sections",
        ),
        pytest.param(
            {1126: ("\t方  虹", "\t区民政局")}, 1126, "无法识别的责任领导“区民政局”", id="unit-in-leader-cell"
        ),
        pytest.param(
            {551: ("\t（五）抓创新、促改革，让发展动能更加充沛", "\t（六）抓创新、促改革，让发展动能更加充沛")},
            551,
            "分类序号应为（五），实际为（六）",
            id="section-out-of-order",
        ),
        pytest.param({1356: (" ", "附件2")}, 1356, "备注之后不应再有内容", id="text-after-note"),
    ],
)
def test_strict_errors(catalog: UnitCatalog, edits: dict[int, tuple[str, str]], line: int, message: str) -> None:
    error = _error(_broken(edits), catalog)
    assert error.line == line
    assert message in str(error)
    assert str(error).startswith(f"第{line}行：")


def test_removed_leader_lines_are_reported(catalog: UnitCatalog) -> None:
    error = _error(_broken({}, drop=range(25, 34)), catalog)
    assert error.line == 25  # the unit cell 区发改委 moved up into the leader column
    assert "无法识别的责任领导“区发改委”" in str(error)


def test_missing_task_is_caught_by_the_stated_total(catalog: UnitCatalog) -> None:
    error = _error(_broken({}, drop=range(1345, 1354)), catalog)
    assert error.line == 8
    assert "通知称共9个方面125项重点工作，表中实际为9个方面124项" in str(error)


def test_document_without_table(catalog: UnitCatalog) -> None:
    error = _error("\n".join(DOC_LINES[:16]), catalog)
    assert error.line is None
    assert "表头" in str(error)
