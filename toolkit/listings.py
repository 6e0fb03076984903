"""The rows behind a panel: a round's units, a unit's problems, a problem's history.

Metrics count; listings show the records themselves, already filtered and replayed to ``as_of``
in the database, as small DataFrames. Names of persons are masked unless the caller passes
``show_names=True`` (a view opened with that right): the clue's 被反映人, and every name in the
free text a listing returns (clue titles, problem descriptions, assignment titles, the why and
content of events), by ``toolkit.masking.NameMasker``. Pass ``masker=`` to reuse one (it reads
the ledger's subjects once); without it each listing builds its own.
"""

from __future__ import annotations

import pandas as pd

from toolkit.filters import Filters, resolve_as_of, scoped
from toolkit.masking import NameMasker, mask_columns
from toolkit.metrics import headline
from toolkit.metrics.base import view_on, with_extensions
from toolkit.models import RECTIFIED_STATUSES


def _masked(ledger, df: pd.DataFrame, columns, *, show_names: bool, masker, subject=None) -> pd.DataFrame:
    if show_names:
        return df
    return mask_columns(df, masker or NameMasker.for_ledger(ledger), columns, subject)


def rounds(ledger, *, as_of=None, filters: Filters | None = None) -> pd.DataFrame:
    """One row per round with inspections: its attributes and headline counts, newest first."""
    day = resolve_as_of(as_of)
    counts = headline(ledger, as_of=day, filters=filters, by="round")
    table = view_on(ledger, day).table("rounds").execute()  # a round keeps its name on past dates
    table = table.rename(columns={"id": "round", "name": "round_name_full"})
    merged = counts.merge(table, on="round", how="left").drop(columns=["round_name_full"])
    return merged.sort_values(["start", "round"], ascending=[False, True]).reset_index(drop=True)


def round_units(ledger, round_id: str, *, as_of=None, filters: Filters | None = None) -> pd.DataFrame:
    """The units a round inspected, each with its team and headline counts."""
    day = resolve_as_of(as_of)
    filters = (filters or Filters()).replace(round=round_id)
    counts = headline(ledger, as_of=day, filters=filters, by="unit")
    inspections = scoped(view_on(ledger, day), "inspections", filters)
    info = inspections.select("unit", "team", "region", "unit_kind", "sector", "public_reports").execute()
    return (
        counts.merge(info, on="unit", how="left")
        .sort_values("problems", ascending=False)
        .reset_index(drop=True)
    )


def unit_problems(
    ledger,
    unit_id: str,
    *,
    as_of=None,
    round_id: str | None = None,
    show_names: bool = False,
    masker: NameMasker | None = None,
) -> pd.DataFrame:
    """Every problem of a unit as it stood on ``as_of``, with days to its deadline and extensions;
    names in ``description`` masked unless ``show_names``."""
    df = _unit_problem_rows(ledger, unit_id, as_of=as_of, round_id=round_id)
    return _masked(ledger, df, ["description"], show_names=show_names, masker=masker)


def _unit_problem_rows(ledger, unit_id: str, *, as_of=None, round_id: str | None = None) -> pd.DataFrame:
    day = resolve_as_of(as_of)
    view = view_on(ledger, day)
    problems = scoped(view, "problems", Filters(unit=unit_id, round=round_id), derived=("extensions",))
    joined = with_extensions(view, problems)
    df = joined.select(
        "id",
        "round",
        "round_name",
        "round_start",
        "category",
        "description",
        "status",
        "deadline",
        "due",
        "rectified_on",
        "closed_on",
        "team",
        "responsible",
        "amount_yuan",
        "common",
        "extensions",
    ).execute()
    df["extensions"] = df["extensions"].fillna(0).astype("int64")
    due = pd.to_datetime(df["due"])
    df["days_to_due"] = (due - pd.Timestamp(day)).dt.days
    df["rectified"] = df["status"].isin([s.value for s in RECTIFIED_STATUSES])
    return df.sort_values(["round_start", "id"]).reset_index(drop=True)


CLUE_COLUMNS = (
    "id",
    "round",
    "round_name",
    "unit",
    "unit_name",
    "title",
    "subject",
    "subject_post",
    "source",
    "transferred_on",
    "disposal",
    "disposed_on",
    "case_opened_on",
    "sanctioned",
    "prosecuted",
    "recovered_yuan",
)


def clues(
    ledger,
    *,
    as_of=None,
    filters: Filters | None = None,
    show_names: bool = False,
    masker: NameMasker | None = None,
) -> pd.DataFrame:
    """The clues under ``filters`` and what became of them, oldest transfer first; 被反映人 and
    the names in ``title`` masked unless ``show_names``."""
    day = resolve_as_of(as_of)
    df = scoped(view_on(ledger, day), "clues", filters).select(*CLUE_COLUMNS).execute()
    df = _masked(ledger, df, ["title"], show_names=show_names, masker=masker, subject="subject")
    return df.sort_values(["transferred_on", "id"]).reset_index(drop=True)


def unit_clues(
    ledger, unit_id: str, *, as_of=None, show_names: bool = False, masker: NameMasker | None = None
) -> pd.DataFrame:
    """A unit's clues and what became of them; 被反映人 and names in titles masked unless ``show_names``."""
    return clues(ledger, as_of=as_of, filters=Filters(unit=unit_id), show_names=show_names, masker=masker)


def unit_assignments(
    ledger, region: str, *, as_of=None, show_names: bool = False, masker: NameMasker | None = None
) -> pd.DataFrame:
    """The assignments (交办事项) of a region as they stood on ``as_of``; names in titles masked."""
    day = resolve_as_of(as_of)
    table = view_on(ledger, day).table("assignments")
    df = table.filter(table.assignee_region == region).execute()
    df = _masked(ledger, df, ["title"], show_names=show_names, masker=masker)
    return df.sort_values(["assigned_on", "id"]).reset_index(drop=True)


def problem_history(
    ledger, problem_id: str, *, as_of=None, show_names: bool = False, masker: NameMasker | None = None
) -> pd.DataFrame:
    """The events of one record up to ``as_of``: when, what, who, why (names in the why, the
    recorder and the content masked unless ``show_names``)."""
    day = resolve_as_of(as_of)
    events = ledger.as_of(day).table("events")
    df = (
        events.filter(events.record_id == problem_id)
        .order_by("seq")
        .select("seq", "at", "kind", "by", "why", "payload")
        .execute()
    )
    return _masked(ledger, df, ["by", "why", "payload"], show_names=show_names, masker=masker)


def unit_recurrences(ledger, unit_id: str, *, as_of=None) -> pd.DataFrame:
    """Categories found again in a later round after a problem of that category was rectified."""
    df = _unit_problem_rows(ledger, unit_id, as_of=as_of)
    if df.empty:
        return pd.DataFrame(columns=["category", "first_round", "rectified_on", "again_round", "again_found"])
    rows = []
    for category, group in df.groupby("category", sort=True):
        group = group.sort_values("round_start")
        fixed = group[group["rectified"]]
        if fixed.empty:
            continue
        first = fixed.iloc[0]
        later = group[group["round_start"] > first["round_start"]]
        if not later.empty:
            rows.append(
                {
                    "category": category,
                    "first_round": first["round_name"],
                    "rectified_on": first["rectified_on"],
                    "again_round": later.iloc[0]["round_name"],
                    "again_found": len(later),
                }
            )
    return pd.DataFrame(
        rows, columns=["category", "first_round", "rectified_on", "again_round", "again_found"]
    )


def unit_info(ledger, unit_id: str) -> dict:
    """The unit's own record (name, region, sector, kind); KeyError for an unknown id."""
    units = ledger.table("units")
    df = units.filter(units.id == unit_id).execute()
    if df.empty:
        raise KeyError(unit_id)
    return df.iloc[0].to_dict()
