import datetime as dt

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.ingest import import_files
from toolkit.ingest.export import export_ledger
from toolkit.ledger import Ledger
from toolkit.masking import NAMES_SHOWN_ZH
from toolkit.models import Assignment, Clue, Inspection, Problem, Round, Unit
from toolkit.replay import derived_names

D = dt.date
TABLES = ("units", "rounds", "inspections", "problems", "clues", "assignments")


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "orig.duckdb"
    r1 = Round(
        "R8",
        "七届市委第八轮巡察",
        "七届",
        8,
        "regular",
        "city",
        "市本级",
        D(2021, 3, 1),
        D(2021, 4, 30),
        D(2021, 6, 10),
    )
    r2 = Round(
        "R9",
        "七届市委第九轮巡察（回头看）",
        "七届",
        9,
        "look_back",
        "city",
        "市本级",
        D(2021, 9, 1),
        D(2021, 10, 15),
        D(2021, 11, 20),
        looks_back_at="R8",
    )
    u1 = Unit("U1", "市住房和城乡建设局党组", "市本级", "住建", "department")
    u2 = Unit("U2", "城关镇党委", "青溪县", "乡镇", "township", in_scope=False)
    u3 = Unit("U3", "城关镇党委", "河西区", "乡镇", "township")  # same name, another region
    with Ledger.write(path, by="巡察办 张某甲", create=True) as tx:
        for u in (u1, u2, u3):
            tx.add(u, at=D(2021, 1, 1))
        tx.add(r1)
        tx.add(r2)
        tx.add(Inspection("I1", "R8", "U1", "市委第三巡察组", public_reports=12))
        tx.add(Inspection("I2", "R8", "U3", "市委第四巡察组"))
        tx.add(
            Problem(
                "P1",
                "R8",
                "U1",
                "工程项目和招投标",
                "保障房项目未批先建",
                D(2021, 6, 10),
                D(2021, 9, 30),
                amount_yuan=58_102_920,
                responsible="建管处",
                team="市委第三巡察组",
                common=True,
            )
        )
        tx.add(
            Problem(
                "P2",
                "R8",
                "U1",
                "财务管理和资金使用",
                "违规发放津贴补贴",
                D(2021, 6, 10),
                D(2021, 6, 10),
                deadline="immediate",
                amount_yuan=3_201,
            )
        )
        tx.set_status("P2", "rectified", at=D(2021, 6, 20))
        tx.close_out("P2", at=D(2021, 8, 1), why="验收合格")
        tx.add(
            Problem(
                "P3",
                "R8",
                "U3",
                "基层党组织建设",
                "“三会一课”落实不到位",
                D(2021, 6, 10),
                None,
                deadline="ongoing",
                status="ongoing",
            )
        )
        tx.add(
            Problem(
                "P4",
                "R9",
                "U1",
                "巡察整改落实",
                "整改不彻底",
                D(2021, 11, 20),
                D(2022, 2, 28),
                status="in_progress",
            )
        )
        tx.add(
            Clue(
                "C1",
                "R8",
                "U1",
                "违规插手保障房分配",
                "王某甲",
                "副局长",
                "巡察发现",
                D(2021, 6, 15),
                disposal="case",
                disposed_on=D(2021, 8, 3),
                case_opened_on=D(2021, 8, 3),
                sanctioned=1,
                recovered_yuan=356_001,
            )
        )
        tx.add(Clue("C2", "R8", "U3", "收受礼金", "李某乙", "", "群众反映", D(2021, 6, 20)))
        tx.add(
            Assignment(
                "A1",
                "巡察整改专项报告",
                "青溪县",
                D(2021, 7, 1),
                D(2021, 8, 1),
                assignee_unit_id="U2",
                round_id="R8",
                reported_on=D(2021, 7, 28),
            )
        )
        tx.add(Assignment("A2", "选人用人专项检查", "市本级", D(2021, 9, 1), D(2021, 10, 31)))
    return path


def frames(path):
    """Every record as it stands. Not ``changed_at`` nor what is derived from a record's history
    (``toolkit.replay.DERIVED``): a workbook carries a record, not its history, so an import
    dates the record's changes as it can (the intermediate steps are not in the file)."""
    with Ledger.open(path) as led:
        return {
            t: _as_it_stands(led.table(t)).execute().sort_values("id").reset_index(drop=True) for t in TABLES
        }


def _as_it_stands(table):
    later = ["changed_at", *derived_names("problem")]
    return table.drop(*[c for c in later if c in table.columns])


def test_export_then_import_gives_the_same_records(ledger, tmp_path):
    out = tmp_path / "export.xlsx"
    counts = export_ledger(ledger, out, show_names=True)
    assert counts == {
        "整改台账": 4,
        "问题线索台账": 2,
        "巡察轮次": 2,
        "被巡察单位": 3,
        "巡察记录": 2,
        "交办事项": 2,
    }
    copy = tmp_path / "copy.duckdb"
    report = import_files([out], copy, today=dt.date.today())  # the fixture records events today
    assert (report.rejected, report.duplicates) == (0, 0), report.summary()
    assert report.created_rounds == [] and report.created_units == [] and report.created_inspections == 0
    before, after = frames(ledger), frames(copy)
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False, obj=table)
    # history too: on 2021-07-01 P2 was rectified, not yet closed out
    with Ledger.open(copy) as led:
        p = led.as_of(D(2021, 7, 1)).table("problems").execute().set_index("id")
    assert p.loc["P2", "status"] == "rectified"
    # and importing the export again adds nothing
    assert import_files([out], copy, today=dt.date.today()).accepted == 0


def test_export_format(ledger, tmp_path):
    out = tmp_path / "e.xlsx"
    export_ledger(ledger, out)
    ws = openpyxl.load_workbook(out)["整改台账"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert row["涉及金额（万元）"].value == pytest.approx(5810.292)
    assert row["涉及金额（万元）"].number_format == "#,##0.00"
    assert row["整改时限"].is_date and row["整改状态"].value == "未整改"
    immediate = {h: c.value for h, c in zip(header, ws[3], strict=True)}
    assert immediate["整改时限"] == "立行立改（2021-06-10）" and immediate["整改状态"] == "已销号"
    clues = openpyxl.load_workbook(out)["问题线索台账"]
    subjects = {c.value for c in clues["H"][1:]}
    assert subjects == {"王**", "李**"}  # names masked by default


def test_export_as_of(ledger, tmp_path):
    out = tmp_path / "e.xlsx"
    counts = export_ledger(ledger, out, as_of=D(2021, 7, 1))
    assert counts["整改台账"] == 3  # P4 was found in November


def test_cli_export(ledger, tmp_path):
    out = tmp_path / "cli.xlsx"
    result = CliRunner().invoke(
        main, ["export", "--ledger", str(ledger), "--out", str(out), "--as-of", "2021-07-01"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and "整改台账 3" in result.output
    assert "姓名已遮盖" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "说明" and NAMES_SHOWN_ZH not in [c.value for c in book["说明"]["A"]]


def test_cli_export_with_names_says_so(ledger, tmp_path):
    out = tmp_path / "named.xlsx"
    result = CliRunner().invoke(main, ["export", "--ledger", str(ledger), "--out", str(out), "--with-names"])
    assert result.exit_code == 0, result.output
    assert "NOT masked" in result.output and "未遮盖" in result.output
    assert NAMES_SHOWN_ZH in [c.value for c in openpyxl.load_workbook(out)["说明"]["A"]]


def test_cli_export_bad_date_is_a_sentence(ledger, tmp_path):
    out = tmp_path / "never.xlsx"
    result = CliRunner().invoke(
        main, ["export", "--ledger", str(ledger), "--out", str(out), "--as-of", "2021-13-01"]
    )
    assert result.exit_code == 2 and "2021-13-01" in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.slow
def test_sample_ledger_round_trip(sample_path, tmp_path):
    """The sample ledger -> export -> import into an empty ledger -> the same records."""
    out = tmp_path / "sample.xlsx"
    export_ledger(sample_path, out, show_names=True)
    copy = tmp_path / "copy.duckdb"
    report = import_files([out], copy, today=dt.date.today())  # nothing imported may postdate it
    assert report.rejected == 0 and report.duplicates == 0 and report.accepted == report.data_rows
    before, after = frames(sample_path), frames(copy)
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False, obj=table)


def test_cli_export_refuses_another_format_and_leaves_nothing_half_written(ledger, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    wrong = CliRunner().invoke(main, ["export", "--ledger", str(ledger), "--out", str(out / "e.xls")])
    assert wrong.exit_code == 2 and ".xlsx" in wrong.output
    blocked = out / "blocked.xlsx"
    blocked.mkdir()  # a folder where the workbook should go: the save cannot finish
    result = CliRunner().invoke(main, ["export", "--ledger", str(ledger), "--out", str(blocked)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == ["blocked.xlsx"]  # nothing else: no partial file
