import datetime as dt
from pathlib import Path

import pytest

from tests.ingest_workbooks import HEADER, ROUND, problem_rows, simple_ledger, write_xlsx
from toolkit.ingest import UnreadableFile, examples, import_files
from toolkit.ledger import Ledger
from toolkit.models import ProblemStatus

TODAY = dt.date(2021, 9, 10)
EXAMPLES_TODAY = dt.date(2023, 9, 10)  # after the example files' dates (toolkit.ingest.examples)


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    examples.write_all(out)
    return out


def problems(ledger: Path):
    with Ledger.open(ledger) as led:
        return led.table("problems").execute().set_index("description")


def event_count(ledger: Path) -> int:
    with Ledger.open(ledger) as led:
        return led.counts()["events"]


def test_county_ledger_exact_counts_and_values(messy, tmp_path):
    ledger = tmp_path / "l.duckdb"
    report = import_files([messy / "青溪县_整改台账.xlsx"], ledger, region="青溪县", today=EXAMPLES_TODAY)
    assert (report.data_rows, report.accepted, report.rejected, report.duplicates) == (11, 8, 3, 0)
    p = problems(ledger)
    assert p.loc["公务接待未严格执行清单制度", "amount_yuan"] == 125_000  # １２．５ in a 万元 column
    assert p.loc["保障房项目未批先建", "amount_yuan"] == 58_102_920
    assert p.loc["人防易地建设费应收未收", "amount_yuan"] == 105_000_000
    assert p.loc["保障房项目未批先建", "status"] == "in_progress"  # 基本完成
    assert p.loc["人防易地建设费应收未收", "status"] == "in_progress"  # 阶段性完成
    assert p.loc["人防易地建设费应收未收", "due"].date() == dt.date(2023, 10, 31)  # 2023年10月
    assert p.loc["违规发放津贴补贴", "deadline"] == "immediate"
    assert p.loc["“三会一课”制度落实不到位", "deadline"] == "ongoing"
    assert p.loc["意识形态工作责任制落实不到位", "closed_on"].date() == dt.date(2023, 7, 20)
    # rectified without a date: the sheet's 填报时间 (2023年7月5日), not the import date
    assert p.loc["公务接待未严格执行清单制度", "rectified_on"].date() == dt.date(2023, 7, 5)
    assert report.created_rounds == [examples.ROUND]
    assert report.created_units == ["县住房和城乡建设局党组（青溪县）"]


def test_rejected_rows_carry_sheet_row_column_reason(messy, tmp_path):
    report = import_files([messy / "青溪县_整改台账.xlsx"], tmp_path / "l.duckdb", today=EXAMPLES_TODAY)
    frame = report.rejected_frame()
    got = {(r.sheet, r.row, r.column, r.field) for r in frame.itertuples()}
    assert got == {
        ("整改台账", 13, "G", "due"),
        ("整改台账", 14, "C", "description"),
        ("整改台账", 15, "I", "status"),
    }
    assert all(frame.reason_zh.str.len() > 0) and all(frame.reason_en.str.len() > 0)
    assert "2023年13月1日" in frame.set_index("row").loc[13, "reason_zh"]


def test_counts_add_up_for_every_example(messy, tmp_path):
    report = import_files(
        sorted(messy.iterdir()), tmp_path / "l.duckdb", round=ROUND, region="青溪县", today=EXAMPLES_TODAY
    )
    for f in report.files:
        assert f.accepted + f.rejected + f.duplicates == f.data_rows
    assert report.data_rows == 26


def test_reimport_adds_nothing(messy, tmp_path):
    ledger = tmp_path / "l.duckdb"
    files = sorted(messy.iterdir())
    first = import_files(files, ledger, round=ROUND, region="青溪县", today=EXAMPLES_TODAY)
    before = event_count(ledger)
    second = import_files(
        files, ledger, round=ROUND, region="青溪县", today=EXAMPLES_TODAY + dt.timedelta(days=30)
    )
    assert event_count(ledger) == before
    assert second.accepted == 0
    assert second.duplicates == first.accepted + first.duplicates
    assert second.rejected == first.rejected


def test_duplicates_within_a_file(tmp_path):
    rows = problem_rows(2) + problem_rows(1)  # row 4 repeats row 2 exactly
    report = import_files(
        [simple_ledger(tmp_path / "a.xlsx", rows)], tmp_path / "l.duckdb", round=ROUND, today=TODAY
    )
    assert (report.accepted, report.duplicates, report.rejected) == (2, 1, 0)
    assert report.conflicts == []


def test_team_files_conflict_is_listed_not_resolved(messy, tmp_path):
    ledger = tmp_path / "l.duckdb"
    report = import_files(
        [messy / "第一巡察组.xlsx", messy / "第二巡察组.xlsx"], ledger, region="青溪县", today=EXAMPLES_TODAY
    )
    assert (report.accepted, report.duplicates) == (3, 1)
    (conflict,) = report.conflicts
    assert conflict.kind == "status_differs" and "第二巡察组.xlsx" in conflict.where
    # the first file's status stands; nothing was silently merged
    assert problems(ledger).loc["超标准配备办公用房", "status"] == "rectified"


def with_completion_dates(rows: list[list], day: dt.date) -> tuple[str, list[list]]:
    """A sheet of ``rows`` with an 整改完成时间 column: a rectified row is dated by the file."""
    return "台账", [[*HEADER, "整改完成时间"], *([*r, day if r[5] == "已整改" else None] for r in rows)]


def test_ledger_conflict_on_reimport_with_new_status(tmp_path):
    ledger = tmp_path / "l.duckdb"
    import_files([simple_ledger(tmp_path / "a.xlsx", problem_rows(1))], ledger, round=ROUND, today=TODAY)
    done = problem_rows(1, status="已整改")
    again = write_xlsx(tmp_path / "b.xlsx", with_completion_dates(done, TODAY))
    report = import_files([again], ledger, round=ROUND, today=TODAY)
    assert report.duplicates == 1
    assert [c.kind for c in report.conflicts] == ["ledger_differs"]


def test_failing_import_leaves_ledger_unchanged(tmp_path, monkeypatch):
    ledger = tmp_path / "l.duckdb"
    import_files([simple_ledger(tmp_path / "a.xlsx", problem_rows(2))], ledger, round=ROUND, today=TODAY)
    before = event_count(ledger)

    from toolkit.ledger import Transaction

    def crash_after_the_events(tx, events, projections):  # the problems' events are in, their rows not
        tx.session.append_columns("events", events)
        raise RuntimeError("power cut")

    monkeypatch.setattr(Transaction, "append_columns", crash_after_the_events)
    more = simple_ledger(tmp_path / "b.xlsx", problem_rows(5, unit="县林业局党组"))
    with pytest.raises(RuntimeError):
        import_files([more], ledger, round=ROUND, today=TODAY)
    assert event_count(ledger) == before
    assert len(problems(ledger)) == 2


def test_unreadable_file_stops_before_writing(tmp_path):
    ledger = tmp_path / "l.duckdb"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(UnreadableFile):
        import_files([simple_ledger(tmp_path / "a.xlsx"), bad], ledger, round=ROUND, today=TODAY)
    assert not ledger.exists()


def test_dry_run_writes_nothing(tmp_path):
    ledger = tmp_path / "l.duckdb"
    report = import_files(
        [simple_ledger(tmp_path / "a.xlsx")], ledger, round=ROUND, dry_run=True, today=TODAY
    )
    assert report.accepted == 3 and not report.written and not ledger.exists()
    assert report.created_rounds == [ROUND]


def test_rectified_problem_is_written_as_its_history(tmp_path):
    ledger = tmp_path / "l.duckdb"
    rows = [
        HEADER + ["整改完成时间", "销号时间"],
        [1, "县水务局党组", "财务", "挪用专项资金", "2021.9.30", "已销号", "2021.7.10", "2021.8.1"],
        [2, "县水务局党组", "财务", "往来款长期挂账", "2021.6.1", "整改中", None, None],
    ]
    import_files([write_xlsx(tmp_path / "a.xlsx", ("S", rows))], ledger, round=ROUND, today=TODAY)
    with Ledger.open(ledger) as led:
        now = led.table("problems").execute().set_index("description")
        early = led.as_of(dt.date(2021, 7, 1)).table("problems").execute().set_index("description")
        mid = led.as_of(dt.date(2021, 7, 20)).table("problems").execute().set_index("description")
    assert now.loc["挪用专项资金", "status"] == ProblemStatus.CLOSED.value
    assert mid.loc["挪用专项资金", "status"] == ProblemStatus.RECTIFIED.value
    assert early.loc["挪用专项资金", "status"] == ProblemStatus.OPEN.value
    # the new round starts on the earliest date in its rows, so no problem predates it
    assert now.loc["往来款长期挂账", "found_on"].date() == dt.date(2021, 6, 1)


def test_problem_before_an_existing_round_is_rejected(tmp_path):
    ledger = tmp_path / "l.duckdb"
    import_files(
        [simple_ledger(tmp_path / "a.xlsx")], ledger, round=ROUND, today=TODAY
    )  # the new round starts on the import date, 2021-09-10
    early = [[1, "县水务局党组", "财务", "更早的问题", dt.date(2021, 3, 1), "整改中"]]
    report = import_files([simple_ledger(tmp_path / "b.xlsx", early)], ledger, round=ROUND, today=TODAY)
    assert report.rejected == 1
    (err,) = report.errors
    assert err.field == "due" and err.column == "E" and "早于" in err.reason_zh


def test_clue_ledger(messy, tmp_path):
    ledger = tmp_path / "l.duckdb"
    report = import_files([messy / "青溪县_问题线索台账.xlsx"], ledger, region="青溪县", today=EXAMPLES_TODAY)
    assert (report.accepted, report.rejected) == (3, 1)
    assert report.errors[0].field == "transferred_on" and report.errors[0].row == 7
    with Ledger.open(ledger) as led:
        clues = led.table("clues").execute().set_index("subject")
    assert clues.loc["王某甲", "disposal"] == "case"
    assert clues.loc["王某甲", "recovered_yuan"] == 356_000
    assert clues.loc["王某甲", "sanctioned"] == 1
    assert clues.loc["李某乙", "disposal"] == "talk"


def test_two_sheets_unit_from_each_title(messy, tmp_path):
    ledger = tmp_path / "l.duckdb"
    report = import_files(
        [messy / "两个乡镇_整改台账.xlsx"], ledger, round=ROUND, region="青溪县", today=EXAMPLES_TODAY
    )
    assert report.accepted == 4 and report.files[0].skipped_sheets == ["填表说明"]
    with Ledger.open(ledger) as led:
        units = set(led.table("units").execute()["name"])
    assert units == {"青溪城关镇党委", "青溪桥头镇党委"}


def test_gb18030_csv(messy, tmp_path):
    report = import_files(
        [messy / "问题清单_gb18030.csv"], tmp_path / "l.duckdb", region="青溪县", today=EXAMPLES_TODAY
    )
    assert (report.accepted, report.rejected) == (3, 0)


def test_missing_round_is_a_rejection_not_a_guess(tmp_path):
    report = import_files([simple_ledger(tmp_path / "a.xlsx")], tmp_path / "l.duckdb", today=TODAY)
    assert report.rejected == 3 and {e.field for e in report.errors} == {"round"}


def test_same_seq_for_different_problems_is_a_conflict(tmp_path):
    rows = problem_rows(2)
    rows[1][0] = 1  # two different problems both numbered 1
    report = import_files(
        [simple_ledger(tmp_path / "a.xlsx", rows)], tmp_path / "l.duckdb", round=ROUND, today=TODAY
    )
    assert report.accepted == 2
    (conflict,) = report.conflicts
    assert conflict.kind == "same_seq" and "#2" in conflict.where and "#3" in conflict.where


def test_file_without_a_ledger_header_is_unreadable(tmp_path):
    path = write_xlsx(
        tmp_path / "memo.xlsx", ("说明", [["关于报送整改台账的通知"], ["请各单位于月底前报送。"]])
    )
    with pytest.raises(UnreadableFile, match="no ledger header"):
        import_files([path], tmp_path / "l.duckdb", round=ROUND)
    assert not (tmp_path / "l.duckdb").exists()


def test_update_status_moves_forward_only_when_asked(tmp_path):
    ledger = tmp_path / "l.duckdb"
    import_files([simple_ledger(tmp_path / "a.xlsx", problem_rows(2))], ledger, round=ROUND, today=TODAY)
    later = problem_rows(2)
    later[0][5] = "已整改"  # forward: applied with --update-status
    later[1][5] = "未整改"  # backwards: never applied, listed
    path = write_xlsx(tmp_path / "b.xlsx", with_completion_dates(later, dt.date(2021, 10, 5)))
    before = event_count(ledger)
    plain = import_files([path], ledger, round=ROUND, today=dt.date(2021, 10, 8))
    assert event_count(ledger) == before and len(plain.conflicts) == 2
    report = import_files([path], ledger, round=ROUND, today=dt.date(2021, 10, 8), update_status=True)
    assert report.duplicates == 2 and len(report.status_updates) == 1
    assert [c.kind for c in report.conflicts] == ["ledger_differs"]
    p = problems(ledger)
    assert p.loc["问题1：资金管理不规范", "status"] == "rectified"
    assert p.loc["问题1：资金管理不规范", "rectified_on"].date() == dt.date(2021, 10, 5)  # the file's date
    assert p.loc["问题2：资金管理不规范", "status"] == "in_progress"
    assert event_count(ledger) == before + 1


def test_a_unit_named_only_by_an_unknown_id_is_rejected_not_a_crash(tmp_path):
    """A row whose 单位编号 the ledger does not hold and whose 被巡察单位 is empty cannot be placed:
    it is rejected with the reason, and the other rows go on (it used to stop the import)."""
    sheet = tmp_path / "a.csv"
    sheet.write_text(
        "序号,单位编号,被巡察单位,巡察轮次,问题类别,问题描述,整改时限,整改状态\n"
        "1,U-NOPE,,第一轮巡察,类别,一个问题,2021-06-01,整改中\n"
        "2,,县水务局党组,第一轮巡察,类别,另一个问题,2021-06-01,整改中\n",
        encoding="utf-8",
    )
    report = import_files([sheet], tmp_path / "l.duckdb", region="青溪县", today=TODAY)
    assert (report.accepted, report.rejected, report.duplicates) == (1, 1, 0)
    (rejected,) = report.rejected_rows
    assert rejected.row == 2 and [e.field for e in rejected.errors] == ["unit_id"]
    assert "U-NOPE" in rejected.errors[0].reason_en
