"""Records validate themselves and name the field that is wrong."""

import datetime as dt

import pytest

from tests.builders import tiny_problem, tiny_round, tiny_unit
from toolkit import models
from toolkit.models import Clue, DeadlineKind, Disposal, ProblemStatus

D = dt.date


def test_valid_records_construct_and_coerce_vocabulary():
    p = tiny_problem(status="整改中")  # the Chinese label is accepted
    assert p.status is ProblemStatus.IN_PROGRESS
    assert tiny_round().round_kind is models.RoundKind.REGULAR
    assert tiny_unit().unit_kind.label_zh == "部门党组"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due": D(2020, 3, 1)}, "due"),  # before found_on
        ({"status": "done-ish"}, "status"),
        ({"amount_yuan": -5}, "amount_yuan"),
        ({"amount_yuan": 12.5}, "amount_yuan"),  # amounts are integer 元
        ({"status": "rectified"}, "rectified_on"),
        ({"status": "closed", "rectified_on": D(2020, 8, 1)}, "closed_on"),
        ({"rectified_on": D(2020, 8, 1)}, "rectified_on"),  # open problems have no date
        ({"deadline": "ongoing"}, "due"),  # 长期坚持 items carry no due date
        ({"due": None}, "due"),
        ({"category": " "}, "category"),
        ({"found_on": "2020-04-01"}, "found_on"),
    ],
)
def test_problem_rejects_bad_values_naming_the_field(changes, field):
    with pytest.raises(ValueError) as err:
        tiny_problem(**changes)
    assert str(err.value).startswith(field + ":")


def test_round_dates_must_be_in_order():
    with pytest.raises(ValueError, match="^feedback_on:"):
        tiny_round(feedback_on=D(2020, 4, 1))
    with pytest.raises(ValueError, match="^round_kind:"):
        tiny_round(round_kind="weekly")


def test_clue_rules():
    base = dict(
        id="C1",
        round_id="R1",
        unit_id="U1",
        title="反映某问题",
        subject="王某甲",
        subject_post="科长",
        source="巡察发现",
        transferred_on=D(2020, 4, 1),
    )
    assert Clue(**base, disposal="立案审查调查", case_opened_on=D(2020, 5, 1)).disposal is Disposal.CASE
    with pytest.raises(ValueError, match="^case_opened_on:"):
        Clue(**base, disposal="talk", case_opened_on=D(2020, 5, 1))
    with pytest.raises(ValueError, match="^sanctioned:"):
        Clue(**base, sanctioned=-1)
    with pytest.raises(ValueError, match="^recovered_yuan:"):
        Clue(**base, recovered_yuan=-100)


def test_immediate_and_ongoing_deadlines():
    assert tiny_problem(deadline="立行立改").deadline is DeadlineKind.IMMEDIATE
    assert tiny_problem(deadline="ongoing", due=None, status="ongoing").due is None


def test_records_are_frozen():
    p = tiny_problem()
    with pytest.raises(AttributeError):
        p.status = "closed"


@pytest.mark.parametrize("bad", ["\x07", "\x1b[31m", "\x00", "\u202e", "\x85"])
def test_no_record_holds_control_characters(bad):
    """Whatever made the record (import, notebook, generator): text a workbook cannot store and a
    terminal would obey never enters the ledger; tab, LF and CR are text."""
    with pytest.raises(ValueError, match="^description:.*U\\+"):
        tiny_problem(description=f"报销{bad}审批不规范")
    with pytest.raises(ValueError, match="^name:"):
        tiny_unit(name=f"市住建局{bad}")
    assert tiny_problem(description="第一行\n第二行\t制表\r").description.count("\n") == 1
