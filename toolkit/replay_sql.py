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
WITH "t10" AS (
  SELECT
    "t3"."id",
    "t3"."round_id",
    "t3"."unit_id",
    "t3"."category",
    "t3"."description",
    "t3"."found_on",
    CASE
      WHEN "t9"."new_due" IS NULL
      THEN "t3"."due"
      ELSE CAST(NULLIF("t9"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t9"."new_deadline" IS NULL
      THEN "t3"."deadline"
      ELSE NULLIF("t9"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t9"."new_status" IS NULL
      THEN "t3"."status"
      ELSE NULLIF("t9"."new_status", '')
    END AS "status",
    "t3"."common",
    "t3"."team",
    "t3"."responsible",
    "t3"."amount_yuan",
    CASE
      WHEN "t9"."new_rectified_on" IS NULL
      THEN "t3"."rectified_on"
      ELSE CAST(NULLIF("t9"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t9"."new_closed_on" IS NULL
      THEN "t3"."closed_on"
      ELSE CAST(NULLIF("t9"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t3"."added_at",
    COALESCE("t9"."last_change_at", "t3"."added_at") AS "changed_at",
    COALESCE("t9"."extensions", 0) AS "extensions",
    "t3"."due" AS "recorded_due"
  FROM "problem_added" AS "t3"
  LEFT OUTER JOIN (
    SELECT
      "t4"."record_id",
      FIRST("t4"."value" ORDER BY "t4"."seq" DESC) FILTER(WHERE
        "t4"."field" = 'closed_on') AS "new_closed_on",
      FIRST("t4"."value" ORDER BY "t4"."seq" DESC) FILTER(WHERE
        "t4"."field" = 'deadline') AS "new_deadline",
      FIRST("t4"."value" ORDER BY "t4"."seq" DESC) FILTER(WHERE
        "t4"."field" = 'due') AS "new_due",
      FIRST("t4"."value" ORDER BY "t4"."seq" DESC) FILTER(WHERE
        "t4"."field" = 'rectified_on') AS "new_rectified_on",
      FIRST("t4"."value" ORDER BY "t4"."seq" DESC) FILTER(WHERE
        "t4"."field" = 'status') AS "new_status",
      MAX("t4"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t4"."seq" IN (
          SELECT
            "t2"."seq"
          FROM "events" AS "t2"
          WHERE
            "t2"."entity" = 'problem' AND "t2"."kind" = 'deadline_extended'
        )
        AND (
          "t4"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "changes" AS "t1"
      WHERE
        "t1"."entity" = 'problem'
    ) AS "t4"
    GROUP BY
      1
  ) AS "t9"
    ON "t3"."id" = "t9"."record_id"
)
SELECT
  "t18"."id",
  "t18"."round_id",
  "t18"."unit_id",
  "t18"."category",
  "t18"."description",
  "t18"."found_on",
  "t18"."due",
  "t18"."deadline",
  "t18"."status",
  "t18"."common",
  "t18"."team",
  "t18"."responsible",
  "t18"."amount_yuan",
  "t18"."rectified_on",
  "t18"."closed_on",
  "t18"."added_at",
  "t18"."changed_at",
  "t18"."extensions",
  CASE
    WHEN "t18"."status" IN ('rectified', 'closed') AND (
      "t18"."f_id" IS NOT NULL
    )
    THEN CAST(NULLIF("t18"."f_value", '') AS DATE)
    WHEN "t18"."status" IN ('rectified', 'closed')
    THEN "t18"."recorded_due"
    ELSE "t18"."due"
  END AS "judged_due"
FROM (
  SELECT
    "t12"."id",
    "t12"."round_id",
    "t12"."unit_id",
    "t12"."category",
    "t12"."description",
    "t12"."found_on",
    "t12"."due",
    "t12"."deadline",
    "t12"."status",
    "t12"."common",
    "t12"."team",
    "t12"."responsible",
    "t12"."amount_yuan",
    "t12"."rectified_on",
    "t12"."closed_on",
    "t12"."added_at",
    "t12"."changed_at",
    "t12"."extensions",
    "t12"."recorded_due",
    "t17"."f_id",
    "t17"."f_value"
  FROM (
    SELECT
      "t15"."h_id" AS "f_id",
      FIRST("t15"."value" ORDER BY "t15"."seq" DESC) AS "f_value"
    FROM (
      SELECT
        "t14"."h_id",
        "t14"."h_on",
        "t7"."entity",
        "t7"."record_id",
        "t7"."field",
        "t7"."value",
        "t7"."at",
        "t7"."seq"
      FROM (
        SELECT
          "t11"."id" AS "h_id",
          "t11"."rectified_on" AS "h_on"
        FROM "t10" AS "t11"
        WHERE
          "t11"."status" IN ('rectified', 'closed') AND "t11"."rectified_on" IS NOT NULL
      ) AS "t14"
      INNER JOIN (
        SELECT
          *
        FROM "changes" AS "t1"
        WHERE
          "t1"."entity" = 'problem' AND "t1"."field" = 'due'
      ) AS "t7"
        ON "t14"."h_id" = "t7"."record_id" AND "t7"."at" <= "t14"."h_on"
    ) AS "t15"
    GROUP BY
      1
  ) AS "t17"
  RIGHT OUTER JOIN "t10" AS "t12"
    ON "t17"."f_id" = "t12"."id"
) AS "t18"
""",
    ("problem", "duckdb", True): """
WITH "t4" AS (
  SELECT
    *
  FROM "touched_ids" AS "t2"
), "t8" AS (
  SELECT
    *
  FROM "changes" AS "t1"
  WHERE
    "t1"."record_id" IN (
      SELECT
        *
      FROM "t4"
    )
), "t16" AS (
  SELECT
    "t9"."id",
    "t9"."round_id",
    "t9"."unit_id",
    "t9"."category",
    "t9"."description",
    "t9"."found_on",
    CASE
      WHEN "t15"."new_due" IS NULL
      THEN "t9"."due"
      ELSE CAST(NULLIF("t15"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t15"."new_deadline" IS NULL
      THEN "t9"."deadline"
      ELSE NULLIF("t15"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t15"."new_status" IS NULL
      THEN "t9"."status"
      ELSE NULLIF("t15"."new_status", '')
    END AS "status",
    "t9"."common",
    "t9"."team",
    "t9"."responsible",
    "t9"."amount_yuan",
    CASE
      WHEN "t15"."new_rectified_on" IS NULL
      THEN "t9"."rectified_on"
      ELSE CAST(NULLIF("t15"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t15"."new_closed_on" IS NULL
      THEN "t9"."closed_on"
      ELSE CAST(NULLIF("t15"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t9"."added_at",
    COALESCE("t15"."last_change_at", "t9"."added_at") AS "changed_at",
    COALESCE("t15"."extensions", 0) AS "extensions",
    "t9"."due" AS "recorded_due"
  FROM (
    SELECT
      *
    FROM "problem_added" AS "t0"
    WHERE
      "t0"."id" IN (
        SELECT
          *
        FROM "t4"
      )
  ) AS "t9"
  LEFT OUTER JOIN (
    SELECT
      "t11"."record_id",
      FIRST("t11"."value" ORDER BY "t11"."seq" DESC) FILTER(WHERE
        "t11"."field" = 'closed_on') AS "new_closed_on",
      FIRST("t11"."value" ORDER BY "t11"."seq" DESC) FILTER(WHERE
        "t11"."field" = 'deadline') AS "new_deadline",
      FIRST("t11"."value" ORDER BY "t11"."seq" DESC) FILTER(WHERE
        "t11"."field" = 'due') AS "new_due",
      FIRST("t11"."value" ORDER BY "t11"."seq" DESC) FILTER(WHERE
        "t11"."field" = 'rectified_on') AS "new_rectified_on",
      FIRST("t11"."value" ORDER BY "t11"."seq" DESC) FILTER(WHERE
        "t11"."field" = 'status') AS "new_status",
      MAX("t11"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t11"."seq" IN (
          SELECT
            "t3"."seq"
          FROM "events" AS "t3"
          WHERE
            "t3"."entity" = 'problem' AND "t3"."kind" = 'deadline_extended'
        )
        AND (
          "t11"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "t8" AS "t10"
      WHERE
        "t10"."entity" = 'problem'
    ) AS "t11"
    GROUP BY
      1
  ) AS "t15"
    ON "t9"."id" = "t15"."record_id"
)
SELECT
  "t24"."id",
  "t24"."round_id",
  "t24"."unit_id",
  "t24"."category",
  "t24"."description",
  "t24"."found_on",
  "t24"."due",
  "t24"."deadline",
  "t24"."status",
  "t24"."common",
  "t24"."team",
  "t24"."responsible",
  "t24"."amount_yuan",
  "t24"."rectified_on",
  "t24"."closed_on",
  "t24"."added_at",
  "t24"."changed_at",
  "t24"."extensions",
  CASE
    WHEN "t24"."status" IN ('rectified', 'closed') AND (
      "t24"."f_id" IS NOT NULL
    )
    THEN CAST(NULLIF("t24"."f_value", '') AS DATE)
    WHEN "t24"."status" IN ('rectified', 'closed')
    THEN "t24"."recorded_due"
    ELSE "t24"."due"
  END AS "judged_due"
FROM (
  SELECT
    "t18"."id",
    "t18"."round_id",
    "t18"."unit_id",
    "t18"."category",
    "t18"."description",
    "t18"."found_on",
    "t18"."due",
    "t18"."deadline",
    "t18"."status",
    "t18"."common",
    "t18"."team",
    "t18"."responsible",
    "t18"."amount_yuan",
    "t18"."rectified_on",
    "t18"."closed_on",
    "t18"."added_at",
    "t18"."changed_at",
    "t18"."extensions",
    "t18"."recorded_due",
    "t23"."f_id",
    "t23"."f_value"
  FROM (
    SELECT
      "t21"."h_id" AS "f_id",
      FIRST("t21"."value" ORDER BY "t21"."seq" DESC) AS "f_value"
    FROM (
      SELECT
        "t20"."h_id",
        "t20"."h_on",
        "t13"."entity",
        "t13"."record_id",
        "t13"."field",
        "t13"."value",
        "t13"."at",
        "t13"."seq"
      FROM (
        SELECT
          "t17"."id" AS "h_id",
          "t17"."rectified_on" AS "h_on"
        FROM "t16" AS "t17"
        WHERE
          "t17"."status" IN ('rectified', 'closed') AND "t17"."rectified_on" IS NOT NULL
      ) AS "t20"
      INNER JOIN (
        SELECT
          *
        FROM "t8" AS "t10"
        WHERE
          "t10"."entity" = 'problem' AND "t10"."field" = 'due'
      ) AS "t13"
        ON "t20"."h_id" = "t13"."record_id" AND "t13"."at" <= "t20"."h_on"
    ) AS "t21"
    GROUP BY
      1
  ) AS "t23"
  RIGHT OUTER JOIN "t16" AS "t18"
    ON "t23"."f_id" = "t18"."id"
) AS "t24"
""",
    ("problem", "postgres", False): """
WITH "t10" AS (
  SELECT
    "t3"."id",
    "t3"."round_id",
    "t3"."unit_id",
    "t3"."category",
    "t3"."description",
    "t3"."found_on",
    CASE
      WHEN "t9"."new_due" IS NULL
      THEN "t3"."due"
      ELSE CAST(NULLIF("t9"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t9"."new_deadline" IS NULL
      THEN "t3"."deadline"
      ELSE NULLIF("t9"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t9"."new_status" IS NULL
      THEN "t3"."status"
      ELSE NULLIF("t9"."new_status", '')
    END AS "status",
    "t3"."common",
    "t3"."team",
    "t3"."responsible",
    "t3"."amount_yuan",
    CASE
      WHEN "t9"."new_rectified_on" IS NULL
      THEN "t3"."rectified_on"
      ELSE CAST(NULLIF("t9"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t9"."new_closed_on" IS NULL
      THEN "t3"."closed_on"
      ELSE CAST(NULLIF("t9"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t3"."added_at",
    COALESCE("t9"."last_change_at", "t3"."added_at") AS "changed_at",
    COALESCE("t9"."extensions", 0) AS "extensions",
    "t3"."due" AS "recorded_due"
  FROM "problem_added" AS "t3"
  LEFT OUTER JOIN (
    SELECT
      "t4"."record_id",
      (
        ARRAY_AGG("t4"."value" ORDER BY "t4"."seq" DESC NULLS LAST) FILTER(WHERE
          "t4"."seq" IS NOT NULL AND "t4"."field" = 'closed_on')
      )[1] AS "new_closed_on",
      (
        ARRAY_AGG("t4"."value" ORDER BY "t4"."seq" DESC NULLS LAST) FILTER(WHERE
          "t4"."seq" IS NOT NULL AND "t4"."field" = 'deadline')
      )[1] AS "new_deadline",
      (
        ARRAY_AGG("t4"."value" ORDER BY "t4"."seq" DESC NULLS LAST) FILTER(WHERE
          "t4"."seq" IS NOT NULL AND "t4"."field" = 'due')
      )[1] AS "new_due",
      (
        ARRAY_AGG("t4"."value" ORDER BY "t4"."seq" DESC NULLS LAST) FILTER(WHERE
          "t4"."seq" IS NOT NULL AND "t4"."field" = 'rectified_on')
      )[1] AS "new_rectified_on",
      (
        ARRAY_AGG("t4"."value" ORDER BY "t4"."seq" DESC NULLS LAST) FILTER(WHERE
          "t4"."seq" IS NOT NULL AND "t4"."field" = 'status')
      )[1] AS "new_status",
      MAX("t4"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t4"."seq" IN (
          SELECT
            "t2"."seq"
          FROM "events" AS "t2"
          WHERE
            "t2"."entity" = 'problem' AND "t2"."kind" = 'deadline_extended'
        )
        AND (
          "t4"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "changes" AS "t1"
      WHERE
        "t1"."entity" = 'problem'
    ) AS "t4"
    GROUP BY
      1
  ) AS "t9"
    ON "t3"."id" = "t9"."record_id"
)
SELECT
  "t18"."id",
  "t18"."round_id",
  "t18"."unit_id",
  "t18"."category",
  "t18"."description",
  "t18"."found_on",
  "t18"."due",
  "t18"."deadline",
  "t18"."status",
  "t18"."common",
  "t18"."team",
  "t18"."responsible",
  "t18"."amount_yuan",
  "t18"."rectified_on",
  "t18"."closed_on",
  "t18"."added_at",
  "t18"."changed_at",
  "t18"."extensions",
  CASE
    WHEN "t18"."status" IN ('rectified', 'closed') AND (
      "t18"."f_id" IS NOT NULL
    )
    THEN CAST(NULLIF("t18"."f_value", '') AS DATE)
    WHEN "t18"."status" IN ('rectified', 'closed')
    THEN "t18"."recorded_due"
    ELSE "t18"."due"
  END AS "judged_due"
FROM (
  SELECT
    "t12"."id",
    "t12"."round_id",
    "t12"."unit_id",
    "t12"."category",
    "t12"."description",
    "t12"."found_on",
    "t12"."due",
    "t12"."deadline",
    "t12"."status",
    "t12"."common",
    "t12"."team",
    "t12"."responsible",
    "t12"."amount_yuan",
    "t12"."rectified_on",
    "t12"."closed_on",
    "t12"."added_at",
    "t12"."changed_at",
    "t12"."extensions",
    "t12"."recorded_due",
    "t17"."f_id",
    "t17"."f_value"
  FROM (
    SELECT
      "t15"."h_id" AS "f_id",
      (
        ARRAY_AGG("t15"."value" ORDER BY "t15"."seq" DESC NULLS LAST) FILTER(WHERE
          "t15"."seq" IS NOT NULL)
      )[1] AS "f_value"
    FROM (
      SELECT
        "t14"."h_id",
        "t14"."h_on",
        "t7"."entity",
        "t7"."record_id",
        "t7"."field",
        "t7"."value",
        "t7"."at",
        "t7"."seq"
      FROM (
        SELECT
          "t11"."id" AS "h_id",
          "t11"."rectified_on" AS "h_on"
        FROM "t10" AS "t11"
        WHERE
          "t11"."status" IN ('rectified', 'closed') AND "t11"."rectified_on" IS NOT NULL
      ) AS "t14"
      INNER JOIN (
        SELECT
          *
        FROM "changes" AS "t1"
        WHERE
          "t1"."entity" = 'problem' AND "t1"."field" = 'due'
      ) AS "t7"
        ON "t14"."h_id" = "t7"."record_id" AND "t7"."at" <= "t14"."h_on"
    ) AS "t15"
    GROUP BY
      1
  ) AS "t17"
  RIGHT OUTER JOIN "t10" AS "t12"
    ON "t17"."f_id" = "t12"."id"
) AS "t18"
""",
    ("problem", "postgres", True): """
WITH "t4" AS (
  SELECT
    *
  FROM "touched_ids" AS "t2"
), "t8" AS (
  SELECT
    *
  FROM "changes" AS "t1"
  WHERE
    "t1"."record_id" IN (
      SELECT
        *
      FROM "t4"
    )
), "t16" AS (
  SELECT
    "t9"."id",
    "t9"."round_id",
    "t9"."unit_id",
    "t9"."category",
    "t9"."description",
    "t9"."found_on",
    CASE
      WHEN "t15"."new_due" IS NULL
      THEN "t9"."due"
      ELSE CAST(NULLIF("t15"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t15"."new_deadline" IS NULL
      THEN "t9"."deadline"
      ELSE NULLIF("t15"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t15"."new_status" IS NULL
      THEN "t9"."status"
      ELSE NULLIF("t15"."new_status", '')
    END AS "status",
    "t9"."common",
    "t9"."team",
    "t9"."responsible",
    "t9"."amount_yuan",
    CASE
      WHEN "t15"."new_rectified_on" IS NULL
      THEN "t9"."rectified_on"
      ELSE CAST(NULLIF("t15"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t15"."new_closed_on" IS NULL
      THEN "t9"."closed_on"
      ELSE CAST(NULLIF("t15"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t9"."added_at",
    COALESCE("t15"."last_change_at", "t9"."added_at") AS "changed_at",
    COALESCE("t15"."extensions", 0) AS "extensions",
    "t9"."due" AS "recorded_due"
  FROM (
    SELECT
      *
    FROM "problem_added" AS "t0"
    WHERE
      "t0"."id" IN (
        SELECT
          *
        FROM "t4"
      )
  ) AS "t9"
  LEFT OUTER JOIN (
    SELECT
      "t11"."record_id",
      (
        ARRAY_AGG("t11"."value" ORDER BY "t11"."seq" DESC NULLS LAST) FILTER(WHERE
          "t11"."seq" IS NOT NULL AND "t11"."field" = 'closed_on')
      )[1] AS "new_closed_on",
      (
        ARRAY_AGG("t11"."value" ORDER BY "t11"."seq" DESC NULLS LAST) FILTER(WHERE
          "t11"."seq" IS NOT NULL AND "t11"."field" = 'deadline')
      )[1] AS "new_deadline",
      (
        ARRAY_AGG("t11"."value" ORDER BY "t11"."seq" DESC NULLS LAST) FILTER(WHERE
          "t11"."seq" IS NOT NULL AND "t11"."field" = 'due')
      )[1] AS "new_due",
      (
        ARRAY_AGG("t11"."value" ORDER BY "t11"."seq" DESC NULLS LAST) FILTER(WHERE
          "t11"."seq" IS NOT NULL AND "t11"."field" = 'rectified_on')
      )[1] AS "new_rectified_on",
      (
        ARRAY_AGG("t11"."value" ORDER BY "t11"."seq" DESC NULLS LAST) FILTER(WHERE
          "t11"."seq" IS NOT NULL AND "t11"."field" = 'status')
      )[1] AS "new_status",
      MAX("t11"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t11"."seq" IN (
          SELECT
            "t3"."seq"
          FROM "events" AS "t3"
          WHERE
            "t3"."entity" = 'problem' AND "t3"."kind" = 'deadline_extended'
        )
        AND (
          "t11"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "t8" AS "t10"
      WHERE
        "t10"."entity" = 'problem'
    ) AS "t11"
    GROUP BY
      1
  ) AS "t15"
    ON "t9"."id" = "t15"."record_id"
)
SELECT
  "t24"."id",
  "t24"."round_id",
  "t24"."unit_id",
  "t24"."category",
  "t24"."description",
  "t24"."found_on",
  "t24"."due",
  "t24"."deadline",
  "t24"."status",
  "t24"."common",
  "t24"."team",
  "t24"."responsible",
  "t24"."amount_yuan",
  "t24"."rectified_on",
  "t24"."closed_on",
  "t24"."added_at",
  "t24"."changed_at",
  "t24"."extensions",
  CASE
    WHEN "t24"."status" IN ('rectified', 'closed') AND (
      "t24"."f_id" IS NOT NULL
    )
    THEN CAST(NULLIF("t24"."f_value", '') AS DATE)
    WHEN "t24"."status" IN ('rectified', 'closed')
    THEN "t24"."recorded_due"
    ELSE "t24"."due"
  END AS "judged_due"
FROM (
  SELECT
    "t18"."id",
    "t18"."round_id",
    "t18"."unit_id",
    "t18"."category",
    "t18"."description",
    "t18"."found_on",
    "t18"."due",
    "t18"."deadline",
    "t18"."status",
    "t18"."common",
    "t18"."team",
    "t18"."responsible",
    "t18"."amount_yuan",
    "t18"."rectified_on",
    "t18"."closed_on",
    "t18"."added_at",
    "t18"."changed_at",
    "t18"."extensions",
    "t18"."recorded_due",
    "t23"."f_id",
    "t23"."f_value"
  FROM (
    SELECT
      "t21"."h_id" AS "f_id",
      (
        ARRAY_AGG("t21"."value" ORDER BY "t21"."seq" DESC NULLS LAST) FILTER(WHERE
          "t21"."seq" IS NOT NULL)
      )[1] AS "f_value"
    FROM (
      SELECT
        "t20"."h_id",
        "t20"."h_on",
        "t13"."entity",
        "t13"."record_id",
        "t13"."field",
        "t13"."value",
        "t13"."at",
        "t13"."seq"
      FROM (
        SELECT
          "t17"."id" AS "h_id",
          "t17"."rectified_on" AS "h_on"
        FROM "t16" AS "t17"
        WHERE
          "t17"."status" IN ('rectified', 'closed') AND "t17"."rectified_on" IS NOT NULL
      ) AS "t20"
      INNER JOIN (
        SELECT
          *
        FROM "t8" AS "t10"
        WHERE
          "t10"."entity" = 'problem' AND "t10"."field" = 'due'
      ) AS "t13"
        ON "t20"."h_id" = "t13"."record_id" AND "t13"."at" <= "t20"."h_on"
    ) AS "t21"
    GROUP BY
      1
  ) AS "t23"
  RIGHT OUTER JOIN "t16" AS "t18"
    ON "t23"."f_id" = "t18"."id"
) AS "t24"
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
