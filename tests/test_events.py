"""Bulk encoding and hashing of events (``encode_payloads``, ``chain_hashes``): the same text
and the same chain, byte for byte, as one event at a time (``encode_payload``, ``event_hash``)."""

import datetime as dt
import math

import pytest

from toolkit.events import (
    GENESIS_HASH,
    EventKind,
    chain_hashes,
    encode_payload,
    encode_payloads,
    first_broken_link,
    make_event,
)
from toolkit.models import DeadlineKind, ProblemStatus

D = dt.date

COLUMNS = {
    "plain": ["报销审批不规范", "", "资金 <b>管理</b>", "P-1"],
    "escaped": ['他说"好"', "C:\\路径", "第一行\n第二行", "\x1f\x00\t"],
    "text_or_none": ["一", None, "", None],
    "day": [D(2021, 3, 1), D(2021, 3, 1), D(1999, 12, 31), D(2021, 3, 2)],
    "day_or_none": [None, D(2021, 3, 1), None, None],
    "flag": [True, False, True, True],
    "count": [0, 1250, -7, 10**20],
    "one_or_true": [1, True, 0, False],  # equal values, written differently
    "floats": [0.0, -0.0, math.nan, 1.5],
    "vocabulary": [ProblemStatus.OPEN, ProblemStatus.CLOSED, DeadlineKind.ONGOING, ProblemStatus.ONGOING],
    "aa_sorted_first": ["a", "b", "c", "d"],
    "键": ["x", "y", "z", "w"],
}


def one_at_a_time(names, columns):
    return [encode_payload(dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)]


def test_payloads_of_a_batch_are_those_of_one_record_at_a_time():
    names = list(COLUMNS)
    columns = list(COLUMNS.values())
    assert encode_payloads(names, columns) == one_at_a_time(names, columns)


@pytest.mark.parametrize("name", list(COLUMNS))
def test_each_kind_of_column_alone_and_between_others(name):
    for together in ([name], ["aa_sorted_first", name], [name, "plain"], ["escaped", name, "day"]):
        names = list(dict.fromkeys(together))
        columns = [COLUMNS[n] for n in names]
        assert encode_payloads(names, columns) == one_at_a_time(names, columns), names


def test_text_that_must_be_escaped_anywhere_in_its_column_is_escaped():
    column = ["无需转义"] * 50 + ['末尾有引号"']
    assert encode_payloads(["description"], [column])[-1] == '{"description":"末尾有引号\\""}'


def test_a_value_json_cannot_write_is_refused_as_encode_payload_refuses_it():
    with pytest.raises(TypeError):
        encode_payload({"x": object()})
    with pytest.raises(TypeError):
        encode_payloads(["x"], [["a", object()]])


def _chain(events, first_seq=1, prev=GENESIS_HASH):
    out = []
    for seq, (at, recorded, by, why, kind, record_id, payload) in enumerate(events, first_seq):
        event = make_event(
            prev,
            seq,
            at=at,
            recorded_at=recorded,
            by=by,
            why=why,
            kind=kind,
            entity="problem",
            record_id=record_id,
            payload=payload,
        )
        out.append(event)
        prev = event.hash
    return out


def test_chained_hashes_are_those_of_one_event_at_a_time():
    by = "巡察办"
    events = [
        (
            D(2021, 3, 1 + i % 3),
            dt.datetime(2021, 4, 1, 9, 30, 0, i * 7),  # microseconds 0 included: always six digits
            by,
            f"导入 第{i}行 \x1f分隔",
            str(EventKind.ADDED if i % 2 else EventKind.STATUS_CHANGED),
            f"P-{i}",
            encode_payload({"description": f"问题{i}", "due": D(2021, 9, 30)}),
        )
        for i in range(12)
    ]
    prev = "ab" * 32
    expected = _chain(events, first_seq=41, prev=prev)
    at, recorded, _, why, kind, record_id, payload = (list(c) for c in zip(*events, strict=True))
    hashes = chain_hashes(
        41, prev, by, "problem", at, recorded, why, kind, record_id, [p.encode() for p in payload]
    )
    assert [h.decode("ascii") for h in hashes] == [e.hash for e in expected]
    rows = [
        (
            e.seq,
            e.at,
            e.recorded_at,
            e.by,
            e.why,
            e.kind,
            e.entity,
            e.record_id,
            e.payload,
            e.prev_hash,
            e.hash,
        )
        for e in _chain(events)
    ]
    assert first_broken_link(rows) is None


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        chain_hashes(1, GENESIS_HASH, "办", "problem", [D(2021, 1, 1)], [], [""], ["added"], ["P"], [b"{}"])


def test_times_repeated_in_a_row_are_hashed_as_one_event_at_a_time_hashes_them():
    """A bulk writer's clock reads the same microsecond for several events, and chain_hashes
    formats a time once for a run of them: an equal instant in another zone is another text."""
    by = "巡察办"
    noon = dt.datetime(2021, 4, 1, 12, 0, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    times = [
        dt.datetime(2021, 4, 1, 9, 30),
        dt.datetime(2021, 4, 1, 9, 30),
        dt.datetime(2021, 4, 1, 9, 30, 0, 1),
        noon,
        noon.astimezone(dt.UTC),  # equal to noon, written otherwise
        noon.astimezone(dt.UTC),
        dt.datetime(2021, 4, 1, 9, 30),
    ]
    events = [
        (D(2021, 3, 1), when, by, f"第{i}行", "added", f"P-{i}", encode_payload({"i": i}))
        for i, when in enumerate(times)
    ]
    expected = _chain(events)
    at, recorded, _, why, kind, record_id, payload = (list(c) for c in zip(*events, strict=True))
    hashes = chain_hashes(
        1, GENESIS_HASH, by, "problem", at, recorded, why, kind, record_id, [p.encode() for p in payload]
    )
    assert [h.decode("ascii") for h in hashes] == [e.hash for e in expected]
