"""Names of persons masked in free text: subjects, co-subjects, spelling variants, names after a post."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from toolkit.masking import NameMasker, known_names, mask_columns, mask_name, mask_text, words

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王某甲", "王**"),
        ("欧阳明华", "欧阳**"),  # a compound surname stays whole
        ("赵 小 海", "赵**"),
        ("赵\u3000小\u3000海", "赵**"),
        ("张三、李四", "张*、李*"),  # a field naming two persons masks each
        ("王", "王*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name_keeps_the_surname(name, masked):
    assert mask_name(name) == masked


def test_there_is_one_mask_name():
    defined = [p for p in PACKAGE.rglob("*.py") if re.search(r"^def mask_name\b", p.read_text(), re.M)]
    assert [p.name for p in defined] == ["masking.py"]


MASKER = NameMasker(["朱某己", "张大山", "李小河", "赵小海", "Zhang Wei", "钱一、孙二"])


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("反映村会计朱某己优亲厚友问题", "反映村会计朱**优亲厚友问题"),
        # a second person, a subject elsewhere in the ledger, named in the same title
        ("局长张大山和副局长李小河违规", "局长张**和副局长李**违规"),
        ("赵 小 海收受礼金", "赵**收受礼金"),
        ("赵\u3000小\u3000海收受礼金", "赵**收受礼金"),
        ("ＺＨＡＮＧ　ＷＥＩ公款旅游", "Ｚ*******公款旅游"),
        ("zhang wei公款旅游", "z*******公款旅游"),
        ("钱一和孙二", "钱*和孙*"),  # each person of a subject field naming two
        ("张大\u200b山", "张**"),  # a zero-width space inside the name
        # names after a post word, never recorded as a subject
        ("出纳孙二娘一人保管", "出纳孙**一人保管"),
        ("反映党支部书记欧阳明华问题", "反映党支部书记欧阳**问题"),
        ("科长王五收受", "科长王*收受"),
        ("局长 周 大 勇签字", "局长 周**签字"),
    ],
)
def test_names_in_free_text_are_masked(text, masked):
    assert MASKER.text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "会计师事务所出具审计报告",
        "村委会主任任期届满未审计",
        "书记和主任一肩挑",
        "局长于2020年签批",
        "主任委员会议未召开",
        "组长单位未按期报送",
        "书记高度重视但落实不力",
        "局长办公会议研究决定",
        "会计凭证不规范",
        "出纳岗位与会计岗位未分离",
        "董事长兼总经理",
        "书记任组长",
        "经理层成员未述职",
        "主任签字审批",
        "局长家属违规经商",
        "校长负责制落实不到位",
        "财务人员安全意识不强",
        "项目负责人未到岗",
        "书记谈话提醒",
        "村会计余额不符",
        "王**已被处分",  # already masked: unchanged
    ],
)
def test_ordinary_words_after_a_post_are_not_masked(text):
    assert MASKER.text(text) == text


def test_masking_is_idempotent_and_leaves_non_text_alone():
    once = MASKER.text("局长张大山和副局长李小河违规")
    assert MASKER.text(once) == once
    assert MASKER.text(None) is None and MASKER.text(3) == 3 and MASKER.text("") == ""


def test_the_records_own_subject_is_masked_even_when_unknown():
    assert NameMasker().text("反映吴某收受礼金", ["吴某"]) == "反映吴*收受礼金"
    # one character is not a name: a subject 王 does not mask every 王 in the text
    assert NameMasker(["王"]).text("王府井项目") == "王府井项目"


def test_a_subject_field_that_is_not_a_name_does_not_mask_that_word_everywhere():
    clumsy = NameMasker(["不详", "匿名", "问题", "买买提·艾力", "Li Na"])
    assert clumsy.text("反映问题不详，匿名举报") == "反映问题不详，匿名举报"
    assert clumsy.text("买买提·艾力和LI NA签字") == "买*****和L***签字"
    assert mask_name("不详") == "不*"  # the subject field itself is still masked


def test_a_name_at_the_end_of_a_very_long_text_is_masked():
    text = "资金管理不规范，" * 2000 + "副局长李小河签字。"
    assert MASKER.text(text).endswith("副局长李**签字。")


def test_mask_text_without_a_ledger():
    assert mask_text("反映局长张大山问题", ["张大山"]) == "反映局长张**问题"


def test_mask_columns_masks_text_and_subject():
    df = pd.DataFrame({"title": ["反映会计王某甲问题", "无"], "subject": ["王某甲", None], "n": [1, 2]})
    out = mask_columns(df, NameMasker(), ["title"], "subject")
    assert out["title"].tolist() == ["反映会计王**问题", "无"]
    assert out["subject"].iloc[0] == "王**" and pd.isna(out["subject"].iloc[1])
    assert out["n"].tolist() == [1, 2]
    assert df["subject"].iloc[0] == "王某甲"  # the caller's frame is left alone


def test_word_lists_are_data():
    w = words()
    assert {"书记", "局长", "副局长", "会计", "出纳", "董事长"} <= w["posts"]
    assert set("赵钱孙李周吴郑王") <= w["surnames"] and {"欧阳", "诸葛", "司马"} <= w["compound_surnames"]
    assert "会计师"[2:] in w["not_names"]


def test_no_false_positives_on_the_sample(sample_ledger):
    """The post-word rule alone (no known names) on the sample's free text: every clue title's
    subject found, nothing else masked in titles, and no description touched at all."""
    bare = NameMasker()
    clues = sample_ledger.table("clues").select("title", "subject").execute()
    descriptions = sample_ledger.table("problems").select("description").distinct().execute()["description"]
    assignments = sample_ledger.table("assignments").select("title").execute()["title"]
    found = sum(
        bare.text(t) == t.replace(s, mask_name(s))
        for t, s in zip(clues["title"], clues["subject"], strict=True)
    )
    touched = sum(bare.text(d) != d for d in [*descriptions, *assignments])
    texts = len(clues) + len(descriptions) + len(assignments)
    false_positive_rate = (len(clues) - found + touched) / texts
    assert len(clues) > 500 and len(descriptions) > 50
    assert found == len(clues), "every sample title's subject follows a post word"
    assert false_positive_rate == 0.0


def test_known_names_are_the_ledgers_subjects(sample_ledger):
    names = known_names(sample_ledger)
    subjects = set(sample_ledger.table("clues").execute()["subject"])
    assert set(names) == subjects
    masker = NameMasker.for_ledger(sample_ledger)
    person = sorted(subjects)[0]
    assert masker.text(f"另案中{person}也有涉及") == f"另案中{mask_name(person)}也有涉及"
