"""The replay's SQL, compiled ahead by ``python -m toolkit.replay`` (do not edit by hand).

``STATE_SQL[entity, dialect, touched]`` is ``toolkit.replay.compile_state(entity, dialect)``,
with ``touched``: restricted to the ids in the temporary table ``toolkit.store.TOUCHED_TABLE``.
"""

# each text between a newline after its opening quotes and one before its closing quotes
_TEXTS = {
    ("unit", "duckdb", False): """
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."region",
  "t0"."sector",
  "t0"."unit_kind",
  "t0"."in_scope",
  "t0"."added_at",
  "t0"."added_at" AS "changed_at"
FROM "unit_added" AS "t0"
""",
    ("unit", "duckdb", True): """
SELECT
  "t3"."id",
  "t3"."name",
  "t3"."region",
  "t3"."sector",
  "t3"."unit_kind",
  "t3"."in_scope",
  "t3"."added_at",
  "t3"."added_at" AS "changed_at"
FROM (
  SELECT
    *
  FROM "unit_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "touched_ids" AS "t1"
    )
) AS "t3"
""",
    ("unit", "postgres", False): """
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."region",
  "t0"."sector",
  "t0"."unit_kind",
  "t0"."in_scope",
  "t0"."added_at",
  "t0"."added_at" AS "changed_at"
FROM "unit_added" AS "t0"
""",
    ("unit", "postgres", True): """
SELECT
  "t3"."id",
  "t3"."name",
  "t3"."region",
  "t3"."sector",
  "t3"."unit_kind",
  "t3"."in_scope",
  "t3"."added_at",
  "t3"."added_at" AS "changed_at"
FROM (
  SELECT
    *
  FROM "unit_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "touched_ids" AS "t1"
    )
) AS "t3"
""",
    ("round", "duckdb", False): """
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."term",
  "t0"."number",
  "t0"."round_kind",
  "t0"."level",
  "t0"."region",
  "t0"."start",
  "t0"."end",
  "t0"."feedback_on",
  "t0"."looks_back_at",
  "t0"."added_at",
  "t0"."added_at" AS "changed_at"
FROM "round_added" AS "t0"
""",
    ("round", "duckdb", True): """
SELECT
  "t3"."id",
  "t3"."name",
  "t3"."term",
  "t3"."number",
  "t3"."round_kind",
  "t3"."level",
  "t3"."region",
  "t3"."start",
  "t3"."end",
  "t3"."feedback_on",
  "t3"."looks_back_at",
  "t3"."added_at",
  "t3"."added_at" AS "changed_at"
FROM (
  SELECT
    *
  FROM "round_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "touched_ids" AS "t1"
    )
) AS "t3"
""",
    ("round", "postgres", False): """
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."term",
  "t0"."number",
  "t0"."round_kind",
  "t0"."level",
  "t0"."region",
  "t0"."start",
  "t0"."end",
  "t0"."feedback_on",
  "t0"."looks_back_at",
  "t0"."added_at",
  "t0"."added_at" AS "changed_at"
FROM "round_added" AS "t0"
""",
    ("round", "postgres", True): """
SELECT
  "t3"."id",
  "t3"."name",
  "t3"."term",
  "t3"."number",
  "t3"."round_kind",
  "t3"."level",
  "t3"."region",
  "t3"."start",
  "t3"."end",
  "t3"."feedback_on",
  "t3"."looks_back_at",
  "t3"."added_at",
  "t3"."added_at" AS "changed_at"
FROM (
  SELECT
    *
  FROM "round_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "touched_ids" AS "t1"
    )
) AS "t3"
""",
    ("inspection", "duckdb", False): """
SELECT
  "t0"."id",
  "t0"."round_id",
  "t0"."unit_id",
  "t0"."team",
  "t0"."public_reports",
  "t0"."added_at",
  "t0"."added_at" AS "changed_at"
FROM "inspection_added" AS "t0"
""",
    ("inspection", "duckdb", True): """
SELECT
  "t3"."id",
  "t3"."round_id",
  "t3"."unit_id",
  "t3"."team",
  "t3"."public_reports",
  "t3"."added_at",
  "t3"."added_at" AS "changed_at"
FROM (
  SELECT
    *
  FROM "inspection_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "touched_ids" AS "t1"
    )
) AS "t3"
""",
    ("inspection", "postgres", False): """
SELECT
  "t0"."id",
  "t0"."round_id",
  "t0"."unit_id",
  "t0"."team",
  "t0"."public_reports",
  "t0"."added_at",
  "t0"."added_at" AS "changed_at"
FROM "inspection_added" AS "t0"
""",
    ("inspection", "postgres", True): """
SELECT
  "t3"."id",
  "t3"."round_id",
  "t3"."unit_id",
  "t3"."team",
  "t3"."public_reports",
  "t3"."added_at",
  "t3"."added_at" AS "changed_at"
FROM (
  SELECT
    *
  FROM "inspection_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "touched_ids" AS "t1"
    )
) AS "t3"
""",
    ("problem", "duckdb", False): """
SELECT
  "t2"."id",
  "t2"."round_id",
  "t2"."unit_id",
  "t2"."category",
  "t2"."description",
  "t2"."found_on",
  CASE
    WHEN "t5"."new_due" IS NULL
    THEN "t2"."due"
    ELSE CAST(NULLIF("t5"."new_due", '') AS DATE)
  END AS "due",
  CASE
    WHEN "t5"."new_deadline" IS NULL
    THEN "t2"."deadline"
    ELSE NULLIF("t5"."new_deadline", '')
  END AS "deadline",
  CASE
    WHEN "t5"."new_status" IS NULL
    THEN "t2"."status"
    ELSE NULLIF("t5"."new_status", '')
  END AS "status",
  "t2"."common",
  "t2"."team",
  "t2"."responsible",
  "t2"."amount_yuan",
  CASE
    WHEN "t5"."new_rectified_on" IS NULL
    THEN "t2"."rectified_on"
    ELSE CAST(NULLIF("t5"."new_rectified_on", '') AS DATE)
  END AS "rectified_on",
  CASE
    WHEN "t5"."new_closed_on" IS NULL
    THEN "t2"."closed_on"
    ELSE CAST(NULLIF("t5"."new_closed_on", '') AS DATE)
  END AS "closed_on",
  "t2"."added_at",
  COALESCE("t5"."last_change_at", "t2"."added_at") AS "changed_at"
FROM "problem_added" AS "t2"
LEFT OUTER JOIN (
  SELECT
    "t3"."record_id",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'closed_on') AS "new_closed_on",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'deadline') AS "new_deadline",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'due') AS "new_due",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'rectified_on') AS "new_rectified_on",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'status') AS "new_status",
    MAX("t3"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM "changes" AS "t1"
    WHERE
      "t1"."entity" = 'problem'
  ) AS "t3"
  GROUP BY
    1
) AS "t5"
  ON "t2"."id" = "t5"."record_id"
""",
    ("problem", "duckdb", True): """
WITH "t3" AS (
  SELECT
    *
  FROM "touched_ids" AS "t1"
)
SELECT
  "t7"."id",
  "t7"."round_id",
  "t7"."unit_id",
  "t7"."category",
  "t7"."description",
  "t7"."found_on",
  CASE
    WHEN "t10"."new_due" IS NULL
    THEN "t7"."due"
    ELSE CAST(NULLIF("t10"."new_due", '') AS DATE)
  END AS "due",
  CASE
    WHEN "t10"."new_deadline" IS NULL
    THEN "t7"."deadline"
    ELSE NULLIF("t10"."new_deadline", '')
  END AS "deadline",
  CASE
    WHEN "t10"."new_status" IS NULL
    THEN "t7"."status"
    ELSE NULLIF("t10"."new_status", '')
  END AS "status",
  "t7"."common",
  "t7"."team",
  "t7"."responsible",
  "t7"."amount_yuan",
  CASE
    WHEN "t10"."new_rectified_on" IS NULL
    THEN "t7"."rectified_on"
    ELSE CAST(NULLIF("t10"."new_rectified_on", '') AS DATE)
  END AS "rectified_on",
  CASE
    WHEN "t10"."new_closed_on" IS NULL
    THEN "t7"."closed_on"
    ELSE CAST(NULLIF("t10"."new_closed_on", '') AS DATE)
  END AS "closed_on",
  "t7"."added_at",
  COALESCE("t10"."last_change_at", "t7"."added_at") AS "changed_at"
FROM (
  SELECT
    *
  FROM "problem_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "t3"
    )
) AS "t7"
LEFT OUTER JOIN (
  SELECT
    "t8"."record_id",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'closed_on') AS "new_closed_on",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'deadline') AS "new_deadline",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'due') AS "new_due",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'rectified_on') AS "new_rectified_on",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'status') AS "new_status",
    MAX("t8"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."record_id" IN (
          SELECT
            *
          FROM "t3"
        )
    ) AS "t6"
    WHERE
      "t6"."entity" = 'problem'
  ) AS "t8"
  GROUP BY
    1
) AS "t10"
  ON "t7"."id" = "t10"."record_id"
""",
    ("problem", "postgres", False): """
SELECT
  "t2"."id",
  "t2"."round_id",
  "t2"."unit_id",
  "t2"."category",
  "t2"."description",
  "t2"."found_on",
  CASE
    WHEN "t5"."new_due" IS NULL
    THEN "t2"."due"
    ELSE CAST(NULLIF("t5"."new_due", '') AS DATE)
  END AS "due",
  CASE
    WHEN "t5"."new_deadline" IS NULL
    THEN "t2"."deadline"
    ELSE NULLIF("t5"."new_deadline", '')
  END AS "deadline",
  CASE
    WHEN "t5"."new_status" IS NULL
    THEN "t2"."status"
    ELSE NULLIF("t5"."new_status", '')
  END AS "status",
  "t2"."common",
  "t2"."team",
  "t2"."responsible",
  "t2"."amount_yuan",
  CASE
    WHEN "t5"."new_rectified_on" IS NULL
    THEN "t2"."rectified_on"
    ELSE CAST(NULLIF("t5"."new_rectified_on", '') AS DATE)
  END AS "rectified_on",
  CASE
    WHEN "t5"."new_closed_on" IS NULL
    THEN "t2"."closed_on"
    ELSE CAST(NULLIF("t5"."new_closed_on", '') AS DATE)
  END AS "closed_on",
  "t2"."added_at",
  COALESCE("t5"."last_change_at", "t2"."added_at") AS "changed_at"
FROM "problem_added" AS "t2"
LEFT OUTER JOIN (
  SELECT
    "t3"."record_id",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'closed_on')
    )[1] AS "new_closed_on",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'deadline')
    )[1] AS "new_deadline",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'due')
    )[1] AS "new_due",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'rectified_on')
    )[1] AS "new_rectified_on",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'status')
    )[1] AS "new_status",
    MAX("t3"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM "changes" AS "t1"
    WHERE
      "t1"."entity" = 'problem'
  ) AS "t3"
  GROUP BY
    1
) AS "t5"
  ON "t2"."id" = "t5"."record_id"
""",
    ("problem", "postgres", True): """
WITH "t3" AS (
  SELECT
    *
  FROM "touched_ids" AS "t1"
)
SELECT
  "t7"."id",
  "t7"."round_id",
  "t7"."unit_id",
  "t7"."category",
  "t7"."description",
  "t7"."found_on",
  CASE
    WHEN "t10"."new_due" IS NULL
    THEN "t7"."due"
    ELSE CAST(NULLIF("t10"."new_due", '') AS DATE)
  END AS "due",
  CASE
    WHEN "t10"."new_deadline" IS NULL
    THEN "t7"."deadline"
    ELSE NULLIF("t10"."new_deadline", '')
  END AS "deadline",
  CASE
    WHEN "t10"."new_status" IS NULL
    THEN "t7"."status"
    ELSE NULLIF("t10"."new_status", '')
  END AS "status",
  "t7"."common",
  "t7"."team",
  "t7"."responsible",
  "t7"."amount_yuan",
  CASE
    WHEN "t10"."new_rectified_on" IS NULL
    THEN "t7"."rectified_on"
    ELSE CAST(NULLIF("t10"."new_rectified_on", '') AS DATE)
  END AS "rectified_on",
  CASE
    WHEN "t10"."new_closed_on" IS NULL
    THEN "t7"."closed_on"
    ELSE CAST(NULLIF("t10"."new_closed_on", '') AS DATE)
  END AS "closed_on",
  "t7"."added_at",
  COALESCE("t10"."last_change_at", "t7"."added_at") AS "changed_at"
FROM (
  SELECT
    *
  FROM "problem_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "t3"
    )
) AS "t7"
LEFT OUTER JOIN (
  SELECT
    "t8"."record_id",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'closed_on')
    )[1] AS "new_closed_on",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'deadline')
    )[1] AS "new_deadline",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'due')
    )[1] AS "new_due",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'rectified_on')
    )[1] AS "new_rectified_on",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'status')
    )[1] AS "new_status",
    MAX("t8"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."record_id" IN (
          SELECT
            *
          FROM "t3"
        )
    ) AS "t6"
    WHERE
      "t6"."entity" = 'problem'
  ) AS "t8"
  GROUP BY
    1
) AS "t10"
  ON "t7"."id" = "t10"."record_id"
""",
    ("clue", "duckdb", False): """
SELECT
  "t2"."id",
  "t2"."round_id",
  "t2"."unit_id",
  "t2"."title",
  "t2"."subject",
  "t2"."subject_post",
  "t2"."source",
  "t2"."transferred_on",
  CASE
    WHEN "t5"."new_disposal" IS NULL
    THEN "t2"."disposal"
    ELSE NULLIF("t5"."new_disposal", '')
  END AS "disposal",
  CASE
    WHEN "t5"."new_disposed_on" IS NULL
    THEN "t2"."disposed_on"
    ELSE CAST(NULLIF("t5"."new_disposed_on", '') AS DATE)
  END AS "disposed_on",
  CASE
    WHEN "t5"."new_case_opened_on" IS NULL
    THEN "t2"."case_opened_on"
    ELSE CAST(NULLIF("t5"."new_case_opened_on", '') AS DATE)
  END AS "case_opened_on",
  CASE
    WHEN "t5"."new_sanctioned" IS NULL
    THEN "t2"."sanctioned"
    ELSE CAST(NULLIF("t5"."new_sanctioned", '') AS BIGINT)
  END AS "sanctioned",
  CASE
    WHEN "t5"."new_prosecuted" IS NULL
    THEN "t2"."prosecuted"
    ELSE CAST(NULLIF("t5"."new_prosecuted", '') AS BIGINT)
  END AS "prosecuted",
  CASE
    WHEN "t5"."new_recovered_yuan" IS NULL
    THEN "t2"."recovered_yuan"
    ELSE CAST(NULLIF("t5"."new_recovered_yuan", '') AS BIGINT)
  END AS "recovered_yuan",
  "t2"."added_at",
  COALESCE("t5"."last_change_at", "t2"."added_at") AS "changed_at"
FROM "clue_added" AS "t2"
LEFT OUTER JOIN (
  SELECT
    "t3"."record_id",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'case_opened_on') AS "new_case_opened_on",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'disposal') AS "new_disposal",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'disposed_on') AS "new_disposed_on",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'prosecuted') AS "new_prosecuted",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'recovered_yuan') AS "new_recovered_yuan",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'sanctioned') AS "new_sanctioned",
    MAX("t3"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM "changes" AS "t1"
    WHERE
      "t1"."entity" = 'clue'
  ) AS "t3"
  GROUP BY
    1
) AS "t5"
  ON "t2"."id" = "t5"."record_id"
""",
    ("clue", "duckdb", True): """
WITH "t3" AS (
  SELECT
    *
  FROM "touched_ids" AS "t1"
)
SELECT
  "t7"."id",
  "t7"."round_id",
  "t7"."unit_id",
  "t7"."title",
  "t7"."subject",
  "t7"."subject_post",
  "t7"."source",
  "t7"."transferred_on",
  CASE
    WHEN "t10"."new_disposal" IS NULL
    THEN "t7"."disposal"
    ELSE NULLIF("t10"."new_disposal", '')
  END AS "disposal",
  CASE
    WHEN "t10"."new_disposed_on" IS NULL
    THEN "t7"."disposed_on"
    ELSE CAST(NULLIF("t10"."new_disposed_on", '') AS DATE)
  END AS "disposed_on",
  CASE
    WHEN "t10"."new_case_opened_on" IS NULL
    THEN "t7"."case_opened_on"
    ELSE CAST(NULLIF("t10"."new_case_opened_on", '') AS DATE)
  END AS "case_opened_on",
  CASE
    WHEN "t10"."new_sanctioned" IS NULL
    THEN "t7"."sanctioned"
    ELSE CAST(NULLIF("t10"."new_sanctioned", '') AS BIGINT)
  END AS "sanctioned",
  CASE
    WHEN "t10"."new_prosecuted" IS NULL
    THEN "t7"."prosecuted"
    ELSE CAST(NULLIF("t10"."new_prosecuted", '') AS BIGINT)
  END AS "prosecuted",
  CASE
    WHEN "t10"."new_recovered_yuan" IS NULL
    THEN "t7"."recovered_yuan"
    ELSE CAST(NULLIF("t10"."new_recovered_yuan", '') AS BIGINT)
  END AS "recovered_yuan",
  "t7"."added_at",
  COALESCE("t10"."last_change_at", "t7"."added_at") AS "changed_at"
FROM (
  SELECT
    *
  FROM "clue_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "t3"
    )
) AS "t7"
LEFT OUTER JOIN (
  SELECT
    "t8"."record_id",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'case_opened_on') AS "new_case_opened_on",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'disposal') AS "new_disposal",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'disposed_on') AS "new_disposed_on",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'prosecuted') AS "new_prosecuted",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'recovered_yuan') AS "new_recovered_yuan",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'sanctioned') AS "new_sanctioned",
    MAX("t8"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."record_id" IN (
          SELECT
            *
          FROM "t3"
        )
    ) AS "t6"
    WHERE
      "t6"."entity" = 'clue'
  ) AS "t8"
  GROUP BY
    1
) AS "t10"
  ON "t7"."id" = "t10"."record_id"
""",
    ("clue", "postgres", False): """
SELECT
  "t2"."id",
  "t2"."round_id",
  "t2"."unit_id",
  "t2"."title",
  "t2"."subject",
  "t2"."subject_post",
  "t2"."source",
  "t2"."transferred_on",
  CASE
    WHEN "t5"."new_disposal" IS NULL
    THEN "t2"."disposal"
    ELSE NULLIF("t5"."new_disposal", '')
  END AS "disposal",
  CASE
    WHEN "t5"."new_disposed_on" IS NULL
    THEN "t2"."disposed_on"
    ELSE CAST(NULLIF("t5"."new_disposed_on", '') AS DATE)
  END AS "disposed_on",
  CASE
    WHEN "t5"."new_case_opened_on" IS NULL
    THEN "t2"."case_opened_on"
    ELSE CAST(NULLIF("t5"."new_case_opened_on", '') AS DATE)
  END AS "case_opened_on",
  CASE
    WHEN "t5"."new_sanctioned" IS NULL
    THEN "t2"."sanctioned"
    ELSE CAST(NULLIF("t5"."new_sanctioned", '') AS BIGINT)
  END AS "sanctioned",
  CASE
    WHEN "t5"."new_prosecuted" IS NULL
    THEN "t2"."prosecuted"
    ELSE CAST(NULLIF("t5"."new_prosecuted", '') AS BIGINT)
  END AS "prosecuted",
  CASE
    WHEN "t5"."new_recovered_yuan" IS NULL
    THEN "t2"."recovered_yuan"
    ELSE CAST(NULLIF("t5"."new_recovered_yuan", '') AS BIGINT)
  END AS "recovered_yuan",
  "t2"."added_at",
  COALESCE("t5"."last_change_at", "t2"."added_at") AS "changed_at"
FROM "clue_added" AS "t2"
LEFT OUTER JOIN (
  SELECT
    "t3"."record_id",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'case_opened_on')
    )[1] AS "new_case_opened_on",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'disposal')
    )[1] AS "new_disposal",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'disposed_on')
    )[1] AS "new_disposed_on",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'prosecuted')
    )[1] AS "new_prosecuted",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'recovered_yuan')
    )[1] AS "new_recovered_yuan",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'sanctioned')
    )[1] AS "new_sanctioned",
    MAX("t3"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM "changes" AS "t1"
    WHERE
      "t1"."entity" = 'clue'
  ) AS "t3"
  GROUP BY
    1
) AS "t5"
  ON "t2"."id" = "t5"."record_id"
""",
    ("clue", "postgres", True): """
WITH "t3" AS (
  SELECT
    *
  FROM "touched_ids" AS "t1"
)
SELECT
  "t7"."id",
  "t7"."round_id",
  "t7"."unit_id",
  "t7"."title",
  "t7"."subject",
  "t7"."subject_post",
  "t7"."source",
  "t7"."transferred_on",
  CASE
    WHEN "t10"."new_disposal" IS NULL
    THEN "t7"."disposal"
    ELSE NULLIF("t10"."new_disposal", '')
  END AS "disposal",
  CASE
    WHEN "t10"."new_disposed_on" IS NULL
    THEN "t7"."disposed_on"
    ELSE CAST(NULLIF("t10"."new_disposed_on", '') AS DATE)
  END AS "disposed_on",
  CASE
    WHEN "t10"."new_case_opened_on" IS NULL
    THEN "t7"."case_opened_on"
    ELSE CAST(NULLIF("t10"."new_case_opened_on", '') AS DATE)
  END AS "case_opened_on",
  CASE
    WHEN "t10"."new_sanctioned" IS NULL
    THEN "t7"."sanctioned"
    ELSE CAST(NULLIF("t10"."new_sanctioned", '') AS BIGINT)
  END AS "sanctioned",
  CASE
    WHEN "t10"."new_prosecuted" IS NULL
    THEN "t7"."prosecuted"
    ELSE CAST(NULLIF("t10"."new_prosecuted", '') AS BIGINT)
  END AS "prosecuted",
  CASE
    WHEN "t10"."new_recovered_yuan" IS NULL
    THEN "t7"."recovered_yuan"
    ELSE CAST(NULLIF("t10"."new_recovered_yuan", '') AS BIGINT)
  END AS "recovered_yuan",
  "t7"."added_at",
  COALESCE("t10"."last_change_at", "t7"."added_at") AS "changed_at"
FROM (
  SELECT
    *
  FROM "clue_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "t3"
    )
) AS "t7"
LEFT OUTER JOIN (
  SELECT
    "t8"."record_id",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'case_opened_on')
    )[1] AS "new_case_opened_on",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'disposal')
    )[1] AS "new_disposal",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'disposed_on')
    )[1] AS "new_disposed_on",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'prosecuted')
    )[1] AS "new_prosecuted",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'recovered_yuan')
    )[1] AS "new_recovered_yuan",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'sanctioned')
    )[1] AS "new_sanctioned",
    MAX("t8"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."record_id" IN (
          SELECT
            *
          FROM "t3"
        )
    ) AS "t6"
    WHERE
      "t6"."entity" = 'clue'
  ) AS "t8"
  GROUP BY
    1
) AS "t10"
  ON "t7"."id" = "t10"."record_id"
""",
    ("assignment", "duckdb", False): """
SELECT
  "t2"."id",
  "t2"."title",
  "t2"."assignee_region",
  "t2"."assigned_on",
  CASE
    WHEN "t5"."new_due" IS NULL
    THEN "t2"."due"
    ELSE CAST(NULLIF("t5"."new_due", '') AS DATE)
  END AS "due",
  "t2"."assignee_unit_id",
  "t2"."round_id",
  CASE
    WHEN "t5"."new_reported_on" IS NULL
    THEN "t2"."reported_on"
    ELSE CAST(NULLIF("t5"."new_reported_on", '') AS DATE)
  END AS "reported_on",
  "t2"."added_at",
  COALESCE("t5"."last_change_at", "t2"."added_at") AS "changed_at"
FROM "assignment_added" AS "t2"
LEFT OUTER JOIN (
  SELECT
    "t3"."record_id",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'due') AS "new_due",
    FIRST("t3"."value" ORDER BY "t3"."seq" DESC) FILTER(WHERE
      "t3"."field" = 'reported_on') AS "new_reported_on",
    MAX("t3"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM "changes" AS "t1"
    WHERE
      "t1"."entity" = 'assignment'
  ) AS "t3"
  GROUP BY
    1
) AS "t5"
  ON "t2"."id" = "t5"."record_id"
""",
    ("assignment", "duckdb", True): """
WITH "t3" AS (
  SELECT
    *
  FROM "touched_ids" AS "t1"
)
SELECT
  "t7"."id",
  "t7"."title",
  "t7"."assignee_region",
  "t7"."assigned_on",
  CASE
    WHEN "t10"."new_due" IS NULL
    THEN "t7"."due"
    ELSE CAST(NULLIF("t10"."new_due", '') AS DATE)
  END AS "due",
  "t7"."assignee_unit_id",
  "t7"."round_id",
  CASE
    WHEN "t10"."new_reported_on" IS NULL
    THEN "t7"."reported_on"
    ELSE CAST(NULLIF("t10"."new_reported_on", '') AS DATE)
  END AS "reported_on",
  "t7"."added_at",
  COALESCE("t10"."last_change_at", "t7"."added_at") AS "changed_at"
FROM (
  SELECT
    *
  FROM "assignment_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "t3"
    )
) AS "t7"
LEFT OUTER JOIN (
  SELECT
    "t8"."record_id",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'due') AS "new_due",
    FIRST("t8"."value" ORDER BY "t8"."seq" DESC) FILTER(WHERE
      "t8"."field" = 'reported_on') AS "new_reported_on",
    MAX("t8"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."record_id" IN (
          SELECT
            *
          FROM "t3"
        )
    ) AS "t6"
    WHERE
      "t6"."entity" = 'assignment'
  ) AS "t8"
  GROUP BY
    1
) AS "t10"
  ON "t7"."id" = "t10"."record_id"
""",
    ("assignment", "postgres", False): """
SELECT
  "t2"."id",
  "t2"."title",
  "t2"."assignee_region",
  "t2"."assigned_on",
  CASE
    WHEN "t5"."new_due" IS NULL
    THEN "t2"."due"
    ELSE CAST(NULLIF("t5"."new_due", '') AS DATE)
  END AS "due",
  "t2"."assignee_unit_id",
  "t2"."round_id",
  CASE
    WHEN "t5"."new_reported_on" IS NULL
    THEN "t2"."reported_on"
    ELSE CAST(NULLIF("t5"."new_reported_on", '') AS DATE)
  END AS "reported_on",
  "t2"."added_at",
  COALESCE("t5"."last_change_at", "t2"."added_at") AS "changed_at"
FROM "assignment_added" AS "t2"
LEFT OUTER JOIN (
  SELECT
    "t3"."record_id",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'due')
    )[1] AS "new_due",
    (
      ARRAY_AGG("t3"."value" ORDER BY "t3"."seq" DESC NULLS LAST) FILTER(WHERE
        "t3"."seq" IS NOT NULL AND "t3"."field" = 'reported_on')
    )[1] AS "new_reported_on",
    MAX("t3"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM "changes" AS "t1"
    WHERE
      "t1"."entity" = 'assignment'
  ) AS "t3"
  GROUP BY
    1
) AS "t5"
  ON "t2"."id" = "t5"."record_id"
""",
    ("assignment", "postgres", True): """
WITH "t3" AS (
  SELECT
    *
  FROM "touched_ids" AS "t1"
)
SELECT
  "t7"."id",
  "t7"."title",
  "t7"."assignee_region",
  "t7"."assigned_on",
  CASE
    WHEN "t10"."new_due" IS NULL
    THEN "t7"."due"
    ELSE CAST(NULLIF("t10"."new_due", '') AS DATE)
  END AS "due",
  "t7"."assignee_unit_id",
  "t7"."round_id",
  CASE
    WHEN "t10"."new_reported_on" IS NULL
    THEN "t7"."reported_on"
    ELSE CAST(NULLIF("t10"."new_reported_on", '') AS DATE)
  END AS "reported_on",
  "t7"."added_at",
  COALESCE("t10"."last_change_at", "t7"."added_at") AS "changed_at"
FROM (
  SELECT
    *
  FROM "assignment_added" AS "t0"
  WHERE
    "t0"."id" IN (
      SELECT
        *
      FROM "t3"
    )
) AS "t7"
LEFT OUTER JOIN (
  SELECT
    "t8"."record_id",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'due')
    )[1] AS "new_due",
    (
      ARRAY_AGG("t8"."value" ORDER BY "t8"."seq" DESC NULLS LAST) FILTER(WHERE
        "t8"."seq" IS NOT NULL AND "t8"."field" = 'reported_on')
    )[1] AS "new_reported_on",
    MAX("t8"."at") AS "last_change_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."record_id" IN (
          SELECT
            *
          FROM "t3"
        )
    ) AS "t6"
    WHERE
      "t6"."entity" = 'assignment'
  ) AS "t8"
  GROUP BY
    1
) AS "t10"
  ON "t7"."id" = "t10"."record_id"
""",
}
STATE_SQL: dict[tuple[str, str, bool], str] = {key: text[1:-1] for key, text in _TEXTS.items()}
