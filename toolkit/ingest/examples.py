"""Messy example ledgers, written the way county offices and teams really send them.

``python -m toolkit.ingest.examples [OUT_DIR]`` writes them to ``sample_data/messy/``. The content
is fixed (no randomness), so the files, the tests and the README describe the same rows. Names
of persons are obviously fake (王某甲): clue ledgers are sensitive even in examples. They report
on a round of the sample ledger (see ``ROUND``), so an analyst can try them on the sample.

Files:
- ``青溪县_整改台账.xlsx``: merged title, 填报单位/填报时间 line, 涉及金额（万元）, full-width
  digits, mixed date formats, 立行立改 / 长期坚持, 基本完成, a 合计 line, a 注 note, 3 bad rows.
- ``青溪县_问题线索台账.xlsx``: the clue ledger, one bad row.
- ``问题清单_gb18030.csv``: a problem list saved by Excel on a Chinese Windows.
- ``两个乡镇_整改台账.xlsx``: two sheets (one per township, the unit in each title) and an
  instructions sheet; no round in it (import with ``--round 七届青溪县委第三轮巡察``).
- ``第一巡察组.xlsx`` / ``第二巡察组.xlsx``: two teams' files for one round, one conflict.

Every rectified row has a 整改完成时间, a 销号时间 or a sheet's 填报时间 to be dated by: without
one, the importer rejects it rather than date it on the day of the import.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

D = dt.date
# A round of the sample ledger (R7-QX-03, 2023-03-18 to its feedback on 2023-05-31), whose
# inspection of 青溪住房和城乡建设局党组 the county ledger reports on: the examples import into
# the sample against rounds and units it has. The county ledger's 填报单位 spells that unit the
# way a county often does (县住房和城乡建设局党组): the import reports it as resembling the
# existing unit, and ``--unit 青溪住房和城乡建设局党组`` (the import page offers it) maps it.
ROUND = "七届青溪县委第三轮巡察"
COUNTY_UNIT = "县住房和城乡建设局党组"
LEDGER_UNIT = "青溪住房和城乡建设局党组"
HEADERS = [
    "序号",
    "问题类别",
    "巡察反馈的问题",
    "整改措施",
    "责任领导",
    "责任部门",
    "整改时限",
    "整改进展",
    "完成情况",
    "销号时间",
    "涉及金额（万元）",
]

COUNTY_ROWS = [
    [
        1,
        "全面从严治党主体责任",
        "党组研究党风廉政建设工作次数偏少",
        "每季度专题研究一次",
        "李某",
        "办公室",
        D(2023, 6, 30),
        "已建立季度研究制度",
        "已完成",
        D(2023, 7, 2),
        None,
    ],
    [
        2,
        "落实中央八项规定精神",
        "公务接待未严格执行清单制度",
        "重新修订接待办法",
        "李某",
        "办公室",
        "２０２３年８月３１日",
        "修订稿已印发",
        "已整改",
        None,
        "１２．５",
    ],
    [
        3,
        "工程项目和招投标",
        "保障房项目未批先建",
        "补办手续，追责问责",
        "赵某",
        "建管股",
        "2023.9.30",
        "手续补办中",
        "基本完成",
        None,
        "5,810.292万元",
    ],
    [
        4,
        "财务管理和资金使用",
        "违规发放津贴补贴",
        "清退违规发放资金",
        "钱某",
        "财务室",
        "立行立改",
        "已全部清退",
        "完成整改",
        None,
        "3200元",
    ],
    [
        5,
        "基层党组织建设",
        "“三会一课”制度落实不到位",
        "健全组织生活记录台账",
        "孙某",
        "机关党委",
        "长期坚持",
        "持续推进",
        "长期坚持",
        None,
        None,
    ],
    [
        6,
        "选人用人和干部管理",
        "干部档案专项审核不彻底",
        "开展档案再审核",
        "周某",
        "人事股",
        "2023/10/31",
        "正在整改",
        "正在整改",
        None,
        None,
    ],
    [
        7,
        "人防易地建设费收缴",
        "人防易地建设费应收未收",
        "依法追缴",
        "吴某",
        "人防股",
        "2023年10月",
        "已追缴部分款项",
        "阶段性完成",
        None,
        "1.05亿元",
    ],
    [
        8,
        "意识形态工作",
        "意识形态工作责任制落实不到位",
        "制定责任清单",
        "郑某",
        "办公室",
        "2023-06-30",
        "已制定",
        "已销号",
        "2023年7月20日",
        None,
    ],
    # bad rows: an impossible date, an empty description, an unknown status
    [
        9,
        "巡察整改落实",
        "整改台账更新不及时",
        "每月更新",
        "李某",
        "办公室",
        "2023年13月1日",
        "",
        "未整改",
        None,
        None,
    ],
    [10, "巡察整改落实", None, "建立问题清单", "李某", "办公室", "2023.12.31", "", "未整改", None, None],
    [
        11,
        "落实中央八项规定精神",
        "公车使用登记不全",
        "规范登记",
        "王某",
        "办公室",
        "2023年11月30日",
        "",
        "差不多了",
        None,
        None,
    ],
]


def _title(ws, text: str, width: int) -> None:
    ws.append([text])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=14)
    ws.cell(ws.max_row, 1).alignment = Alignment(horizontal="center")


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.properties.creator = "toolkit.ingest.examples"
    wb.properties.created = dt.datetime(2023, 7, 5)
    wb.save(path)
    return path


def county_ledger(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    _title(ws, f"中共青溪县委第三巡察组（{ROUND}）反馈问题整改台账", len(HEADERS))
    ws.append([f"填报单位：{COUNTY_UNIT}", None, None, None, None, None, "填报时间：2023年7月5日"])
    ws.append([])
    ws.append(HEADERS)
    for row in COUNTY_ROWS:
        ws.append(row)
    ws.append(["合计", None, None, None, None, None, None, None, None, None, 10578.04])
    ws.append([])
    ws.append(["注：1.整改时限为“长期坚持”的，每半年报告一次进展；2.涉及金额单位为万元。"])
    for cell in ws["G"]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy年m月d日"
    return _save(wb, path)


CLUE_HEADERS = [
    "线索编号",
    "巡察轮次",
    "被巡察单位",
    "线索名称",
    "被反映人",
    "职务",
    "移交时间",
    "线索来源",
    "处置方式",
    "立案时间",
    "党纪政务处分（人）",
    "移送司法（人）",
    "挽回经济损失（万元）",
]
CLUE_ROWS = [
    [
        "QX-2023-01",
        ROUND,
        LEDGER_UNIT,
        "违规插手保障房分配",
        "王某甲",
        "副局长",
        D(2023, 6, 20),
        "巡察发现",
        "立案审查调查",
        D(2023, 8, 3),
        1,
        0,
        35.6,
    ],
    [
        "QX-2023-02",
        ROUND,
        LEDGER_UNIT,
        "收受管理服务对象礼金",
        "李某乙",
        "股长",
        "2023年6月20日",
        "群众反映",
        "谈话函询",
        None,
        0,
        0,
        None,
    ],
    [
        "QX-2023-03",
        ROUND,
        "青溪人民防空办公室党组",
        "虚报冒领人防工程补助",
        "张某丙",
        "主任",
        "2023.6.25",
        "审计移送",
        "初步核实",
        None,
        None,
        None,
        None,
    ],
    [
        "QX-2023-04",
        ROUND,
        "青溪人民防空办公室党组",
        "违规经商办企业",
        "赵某丁",
        "科员",
        None,  # bad: no transfer date
        "巡察发现",
        "暂存待查",
        None,
        None,
        None,
        None,
    ],
]


def clue_ledger(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题线索"
    _title(ws, "青溪县委巡察办问题线索台账", len(CLUE_HEADERS))
    ws.append(["填报单位：青溪县委巡察办", None, None, None, None, None, "填报时间：2023年9月1日"])
    ws.append(CLUE_HEADERS)
    for row in CLUE_ROWS:
        ws.append(row)
    ws.append(["小计", None, None, None, None, None, None, None, None, None, 1, 0, 35.6])
    return _save(wb, path)


CSV_ROWS = [
    ["序号", "被巡察单位", "巡察轮次", "问题类型", "问题内容", "完成时限", "整改状态", "整改完成时间"],
    [
        "1",
        "青溪教育局党组",
        ROUND,
        "意识形态工作",
        "校园意识形态阵地管理薄弱",
        "2023年9月30日",
        "整改中",
        "",
    ],
    [
        "2",
        "青溪教育局党组",
        ROUND,
        "财务管理和资金使用",
        "营养餐资金管理不规范",
        "2023-08-31",
        "已完成",
        "2023-08-20",
    ],
    [
        "3",
        "青溪教育局党组",
        ROUND,
        "选人用人和干部管理",
        "校长交流轮岗制度未落实",
        "长期坚持",
        "长期坚持",
        "",
    ],
]


def gb18030_csv(path: Path) -> Path:
    text = "\r\n".join(",".join(row) for row in CSV_ROWS) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path


def two_sheets(path: Path) -> Path:
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "填表说明"
    guide.append(["本表由各乡镇党委填报，每月5日前报县委巡察办。"])
    for name, rows in (
        (
            "青溪城关镇",
            [
                [1, "集体“三资”管理", "村集体资产出租未公开招标", "2023年9月30日", "已整改"],
                [2, "群众身边腐败和作风问题", "低保评定把关不严", "立行立改", "已整改"],
            ],
        ),
        (
            "青溪桥头镇",
            [
                [1, "集体“三资”管理", "村级财务公开不及时", "2023年10月31日", "整改中"],
                [2, "基层党组织建设", "软弱涣散村党组织整顿不到位", "2023年12月", "未整改"],
            ],
        ),
    ):
        ws = wb.create_sheet(name)
        _title(ws, f"{name}党委巡察反馈问题整改台账", 5)
        ws.append([None, None, None, "填报时间：2023年9月1日"])
        ws.append(["序号", "问题类别", "问题描述", "整改时限", "整改状态"])
        for row in rows:
            ws.append(row)
    return _save(wb, path)


TEAM_HEADERS = ["序号", "被巡察单位", "问题类别", "问题描述", "整改时限", "整改状态"]


def team_file(path: Path, team: str, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题清单"
    _title(ws, f"{ROUND}{team}反馈问题清单", len(TEAM_HEADERS))
    ws.append([None, None, None, None, None, "填报时间：2023年8月25日"])
    ws.append(TEAM_HEADERS)
    for row in rows:
        ws.append(row)
    return _save(wb, path)


TEAM_ONE = [
    [1, "青溪水利局党组", "工程项目和招投标", "农村饮水工程验收走过场", D(2023, 9, 30), "整改中"],
    [2, "青溪水利局党组", "落实中央八项规定精神", "超标准配备办公用房", D(2023, 8, 31), "已整改"],
]
TEAM_TWO = [
    [
        1,
        "青溪自然资源和规划局党组",
        "财务管理和资金使用",
        "生态公益林补偿资金拨付滞后",
        D(2023, 9, 30),
        "未整改",
    ],
    # the same problem as team one's row 2, reported with another status: a conflict to settle
    [2, "青溪水利局党组", "落实中央八项规定精神", "超标准配备办公用房", D(2023, 8, 31), "整改中"],
]


def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [
        county_ledger(out / "青溪县_整改台账.xlsx"),
        clue_ledger(out / "青溪县_问题线索台账.xlsx"),
        gb18030_csv(out / "问题清单_gb18030.csv"),
        two_sheets(out / "两个乡镇_整改台账.xlsx"),
        team_file(out / "第一巡察组.xlsx", "第一巡察组", TEAM_ONE),
        team_file(out / "第二巡察组.xlsx", "第二巡察组", TEAM_TWO),
    ]


if __name__ == "__main__":  # pragma: no cover
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "sample_data/messy")):
        print(written)
