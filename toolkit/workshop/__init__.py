"""The workshop course (培训课程): helpers the course notebooks call, and the exercise checker.

A workshop notebook starts with::

    from toolkit import listings, metrics, workshop as ws
    from toolkit.workshop import check
    ledger, day, past = ws.start()

and each exercise is two cells: ``answer_2_1 = ...`` (the trainee replaces the ellipsis with a
toolkit call) and ``check("2.1", answer_2_1)``. Expected answers are computed from the ledger
the trainee reads, never stored (see ``registry``); the solutions notebooks live apart in
``notebooks/workshop/solutions/`` and nothing here reads them. Anything that writes goes to the
trainee's scratch ledger (``importing.scratch_ledger``), never to the shared sample.
``make workshop`` gives each laptop a classroom (``toolkit.classroom``): the lessons copied out
of git and the course's own ledger, so an analyst's imports into the sample never move its figures.

Modules: ``context`` (which ledger, the course day), ``registry`` (exercises as data),
``checker`` (``check``), ``tables`` (small views for the notebooks), ``exercises_ledger``
(notebooks 01-03), ``exercises_compare`` (04-05), ``importing`` (06 and its exercises).
"""

from toolkit.workshop import exercises_compare, exercises_ledger  # noqa: F401  (registers exercises)
from toolkit.workshop.checker import INVALID, RIGHT, UNANSWERED, WRONG, Result, check
from toolkit.workshop.context import Context, context, course_days, forget, language, start
from toolkit.workshop.importing import (
    MESSY_FILE,
    MESSY_ROUND,
    MESSY_UNIT,
    fix,
    import_into,
    messy_file,
    preview,
    read_rejects,
    scratch_dir,
    scratch_ledger,
    write_rejects,
)
from toolkit.workshop.registry import EXERCISES, Exercise, Wrong, question
from toolkit.workshop.tables import (
    disposal_counts,
    example_problem,
    portrait,
    portrait_unit,
    show,
    status_counts,
    unit_name,
)

__all__ = [
    "EXERCISES",
    "INVALID",
    "MESSY_FILE",
    "MESSY_ROUND",
    "MESSY_UNIT",
    "RIGHT",
    "UNANSWERED",
    "WRONG",
    "Context",
    "Exercise",
    "Result",
    "Wrong",
    "check",
    "context",
    "course_days",
    "disposal_counts",
    "example_problem",
    "fix",
    "forget",
    "import_into",
    "language",
    "messy_file",
    "portrait",
    "portrait_unit",
    "preview",
    "question",
    "read_rejects",
    "scratch_dir",
    "scratch_ledger",
    "show",
    "start",
    "status_counts",
    "unit_name",
    "write_rejects",
]
