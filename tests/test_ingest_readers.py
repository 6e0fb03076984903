import datetime as dt

import pytest

from tests.ingest_workbooks import write_xlsx
from toolkit.ingest.readers import UnreadableFile, read_sheets

CSV = "序号,问题描述,整改时限\r\n1,违规发放津贴,2021年6月30日\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes(CSV.encode(encoding))
    (sheet,) = read_sheets(path)
    assert sheet.rows[0][0] == "序号"  # no BOM left on the first header
    assert sheet.rows[1][1] == "违规发放津贴"


def test_undecodable_csv_is_unreadable(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\x81\xff" * 10)
    with pytest.raises(UnreadableFile, match="编码"):
        read_sheets(path)


def test_calamine_and_openpyxl_agree(tmp_path):
    rows = [[None], ["标题"], ["序号", "日期", "金额"], [1, dt.date(2021, 6, 30), 12.5]]
    path = write_xlsx(tmp_path / "a.xlsx", ("S", rows))
    fast = read_sheets(path, engine="calamine")[0].rows
    slow = read_sheets(path, engine="openpyxl")[0].rows
    assert fast[1][0] == slow[1][0] == "标题"  # leading blank row kept: row numbers stay exact
    assert fast[3][1] == slow[3][1] == dt.date(2021, 6, 30)
    assert float(fast[3][2]) == float(slow[3][2]) == 12.5


@pytest.mark.parametrize(
    ("name", "content"), [("a.xlsx", b"not a zip"), ("a.txt", b"x"), ("a.xls", b"\x00" * 64)]
)
def test_unreadable_files(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as err:
        read_sheets(path)
    assert err.value.reason


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFile, match="not found"):
        read_sheets(tmp_path / "nope.xlsx")
