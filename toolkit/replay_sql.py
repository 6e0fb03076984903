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
WITH "t16" AS (
  SELECT
    "t4"."id",
    "t4"."round_id",
    "t4"."unit_id",
    "t4"."category",
    "t4"."description",
    "t4"."found_on",
    CASE
      WHEN "t13"."new_due" IS NULL
      THEN "t4"."due"
      ELSE CAST(NULLIF("t13"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t13"."new_deadline" IS NULL
      THEN "t4"."deadline"
      ELSE NULLIF("t13"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t13"."new_status" IS NULL
      THEN "t4"."status"
      ELSE NULLIF("t13"."new_status", '')
    END AS "status",
    "t4"."common",
    "t4"."team",
    "t4"."responsible",
    "t4"."amount_yuan",
    CASE
      WHEN "t13"."new_rectified_on" IS NULL
      THEN "t4"."rectified_on"
      ELSE CAST(NULLIF("t13"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t13"."new_closed_on" IS NULL
      THEN "t4"."closed_on"
      ELSE CAST(NULLIF("t13"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t4"."added_at",
    COALESCE("t13"."last_change_at", "t4"."added_at") AS "changed_at",
    COALESCE("t13"."extensions", 0) AS "extensions",
    "t4"."due" AS "recorded_due"
  FROM "problem_added" AS "t4"
  LEFT OUTER JOIN (
    SELECT
      "t7"."record_id",
      FIRST("t7"."value" ORDER BY "t7"."seq" DESC) FILTER(WHERE
        "t7"."field" = 'closed_on') AS "new_closed_on",
      FIRST("t7"."value" ORDER BY "t7"."seq" DESC) FILTER(WHERE
        "t7"."field" = 'deadline') AS "new_deadline",
      FIRST("t7"."value" ORDER BY "t7"."seq" DESC) FILTER(WHERE
        "t7"."field" = 'due') AS "new_due",
      FIRST("t7"."value" ORDER BY "t7"."seq" DESC) FILTER(WHERE
        "t7"."field" = 'rectified_on') AS "new_rectified_on",
      FIRST("t7"."value" ORDER BY "t7"."seq" DESC) FILTER(WHERE
        "t7"."field" = 'status') AS "new_status",
      MAX("t7"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t7"."seq" IN (
          SELECT
            "t3"."seq"
          FROM "events" AS "t3"
          WHERE
            "t3"."entity" = 'problem' AND "t3"."kind" = 'deadline_extended'
        )
        AND (
          "t7"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."entity" = 'problem'
    ) AS "t7"
    GROUP BY
      1
  ) AS "t13"
    ON "t4"."id" = "t13"."record_id"
), "t24" AS (
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
        "t10"."entity",
        "t10"."record_id",
        "t10"."field",
        "t10"."value",
        "t10"."at",
        "t10"."seq"
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
        FROM "changes" AS "t2"
        WHERE
          "t2"."entity" = 'problem' AND "t2"."field" = 'due'
      ) AS "t10"
        ON "t20"."h_id" = "t10"."record_id" AND "t10"."at" <= "t20"."h_on"
    ) AS "t21"
    GROUP BY
      1
  ) AS "t23"
  RIGHT OUTER JOIN "t16" AS "t18"
    ON "t23"."f_id" = "t18"."id"
)
SELECT
  "t33"."id",
  "t33"."round_id",
  "t33"."unit_id",
  "t33"."category",
  "t33"."description",
  "t33"."found_on",
  "t33"."due",
  "t33"."deadline",
  "t33"."status",
  "t33"."common",
  "t33"."team",
  "t33"."responsible",
  "t33"."amount_yuan",
  "t33"."rectified_on",
  "t33"."closed_on",
  "t33"."added_at",
  "t33"."changed_at",
  "t33"."extensions",
  "t33"."judged_due",
  "t33"."f_on" AS "found_again_on"
FROM (
  SELECT
    "t29"."id",
    "t29"."round_id",
    "t29"."unit_id",
    "t29"."category",
    "t29"."description",
    "t29"."found_on",
    "t29"."due",
    "t29"."deadline",
    "t29"."status",
    "t29"."common",
    "t29"."team",
    "t29"."responsible",
    "t29"."amount_yuan",
    "t29"."rectified_on",
    "t29"."closed_on",
    "t29"."added_at",
    "t29"."changed_at",
    "t29"."extensions",
    "t29"."judged_due",
    "t32"."f_on"
  FROM (
    SELECT
      "t30"."p_id" AS "f_id",
      MIN("t30"."g_first") AS "f_on"
    FROM (
      SELECT
        "t27"."p_id",
        "t27"."p_unit",
        "t27"."p_category",
        "t27"."p_round",
        "t6"."s_id",
        "t6"."s_start",
        "t15"."g_unit",
        "t15"."g_category",
        "t15"."g_start",
        "t15"."g_first"
      FROM (
        SELECT
          "t25"."id" AS "p_id",
          "t25"."unit_id" AS "p_unit",
          "t25"."category" AS "p_category",
          "t25"."round_id" AS "p_round"
        FROM "t24" AS "t25"
      ) AS "t27"
      INNER JOIN (
        SELECT
          "t0"."id" AS "s_id",
          "t0"."start" AS "s_start"
        FROM "round_added" AS "t0"
      ) AS "t6"
        ON "t27"."p_round" = "t6"."s_id"
      INNER JOIN (
        SELECT
          "t11"."unit_id" AS "g_unit",
          "t11"."category" AS "g_category",
          "t11"."s_start" AS "g_start",
          MIN("t11"."added_at") AS "g_first"
        FROM (
          SELECT
            "t4"."id",
            "t4"."round_id",
            "t4"."unit_id",
            "t4"."category",
            "t4"."description",
            "t4"."found_on",
            "t4"."due",
            "t4"."deadline",
            "t4"."status",
            "t4"."common",
            "t4"."team",
            "t4"."responsible",
            "t4"."amount_yuan",
            "t4"."rectified_on",
            "t4"."closed_on",
            "t4"."added_at",
            "t4"."added_seq",
            "t6"."s_id",
            "t6"."s_start"
          FROM "problem_added" AS "t4"
          INNER JOIN (
            SELECT
              "t0"."id" AS "s_id",
              "t0"."start" AS "s_start"
            FROM "round_added" AS "t0"
          ) AS "t6"
            ON "t4"."round_id" = "t6"."s_id"
        ) AS "t11"
        GROUP BY
          1,
          2,
          3
      ) AS "t15"
        ON "t27"."p_unit" = "t15"."g_unit"
        AND "t27"."p_category" = "t15"."g_category"
        AND "t15"."g_start" > "t6"."s_start"
    ) AS "t30"
    GROUP BY
      1
  ) AS "t32"
  RIGHT OUTER JOIN (
    SELECT
      "t25"."id",
      "t25"."round_id",
      "t25"."unit_id",
      "t25"."category",
      "t25"."description",
      "t25"."found_on",
      "t25"."due",
      "t25"."deadline",
      "t25"."status",
      "t25"."common",
      "t25"."team",
      "t25"."responsible",
      "t25"."amount_yuan",
      "t25"."rectified_on",
      "t25"."closed_on",
      "t25"."added_at",
      "t25"."changed_at",
      "t25"."extensions",
      CASE
        WHEN "t25"."status" IN ('rectified', 'closed') AND (
          "t25"."f_id" IS NOT NULL
        )
        THEN CAST(NULLIF("t25"."f_value", '') AS DATE)
        WHEN "t25"."status" IN ('rectified', 'closed')
        THEN "t25"."recorded_due"
        ELSE "t25"."due"
      END AS "judged_due"
    FROM "t24" AS "t25"
  ) AS "t29"
    ON "t32"."f_id" = "t29"."id"
) AS "t33"
""",
    ("problem", "duckdb", True): """
WITH "t6" AS (
  SELECT
    *
  FROM "touched_ids" AS "t2"
), "t11" AS (
  SELECT
    *
  FROM "changes" AS "t3"
  WHERE
    "t3"."record_id" IN (
      SELECT
        *
      FROM "t6"
    )
), "t22" AS (
  SELECT
    "t12"."id",
    "t12"."round_id",
    "t12"."unit_id",
    "t12"."category",
    "t12"."description",
    "t12"."found_on",
    CASE
      WHEN "t21"."new_due" IS NULL
      THEN "t12"."due"
      ELSE CAST(NULLIF("t21"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t21"."new_deadline" IS NULL
      THEN "t12"."deadline"
      ELSE NULLIF("t21"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t21"."new_status" IS NULL
      THEN "t12"."status"
      ELSE NULLIF("t21"."new_status", '')
    END AS "status",
    "t12"."common",
    "t12"."team",
    "t12"."responsible",
    "t12"."amount_yuan",
    CASE
      WHEN "t21"."new_rectified_on" IS NULL
      THEN "t12"."rectified_on"
      ELSE CAST(NULLIF("t21"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t21"."new_closed_on" IS NULL
      THEN "t12"."closed_on"
      ELSE CAST(NULLIF("t21"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t12"."added_at",
    COALESCE("t21"."last_change_at", "t12"."added_at") AS "changed_at",
    COALESCE("t21"."extensions", 0) AS "extensions",
    "t12"."due" AS "recorded_due"
  FROM (
    SELECT
      *
    FROM "problem_added" AS "t1"
    WHERE
      "t1"."id" IN (
        SELECT
          *
        FROM "t6"
      )
  ) AS "t12"
  LEFT OUTER JOIN (
    SELECT
      "t14"."record_id",
      FIRST("t14"."value" ORDER BY "t14"."seq" DESC) FILTER(WHERE
        "t14"."field" = 'closed_on') AS "new_closed_on",
      FIRST("t14"."value" ORDER BY "t14"."seq" DESC) FILTER(WHERE
        "t14"."field" = 'deadline') AS "new_deadline",
      FIRST("t14"."value" ORDER BY "t14"."seq" DESC) FILTER(WHERE
        "t14"."field" = 'due') AS "new_due",
      FIRST("t14"."value" ORDER BY "t14"."seq" DESC) FILTER(WHERE
        "t14"."field" = 'rectified_on') AS "new_rectified_on",
      FIRST("t14"."value" ORDER BY "t14"."seq" DESC) FILTER(WHERE
        "t14"."field" = 'status') AS "new_status",
      MAX("t14"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t14"."seq" IN (
          SELECT
            "t4"."seq"
          FROM "events" AS "t4"
          WHERE
            "t4"."entity" = 'problem' AND "t4"."kind" = 'deadline_extended'
        )
        AND (
          "t14"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "t11" AS "t13"
      WHERE
        "t13"."entity" = 'problem'
    ) AS "t14"
    GROUP BY
      1
  ) AS "t21"
    ON "t12"."id" = "t21"."record_id"
), "t30" AS (
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
    "t24"."recorded_due",
    "t29"."f_id",
    "t29"."f_value"
  FROM (
    SELECT
      "t27"."h_id" AS "f_id",
      FIRST("t27"."value" ORDER BY "t27"."seq" DESC) AS "f_value"
    FROM (
      SELECT
        "t26"."h_id",
        "t26"."h_on",
        "t17"."entity",
        "t17"."record_id",
        "t17"."field",
        "t17"."value",
        "t17"."at",
        "t17"."seq"
      FROM (
        SELECT
          "t23"."id" AS "h_id",
          "t23"."rectified_on" AS "h_on"
        FROM "t22" AS "t23"
        WHERE
          "t23"."status" IN ('rectified', 'closed') AND "t23"."rectified_on" IS NOT NULL
      ) AS "t26"
      INNER JOIN (
        SELECT
          *
        FROM "t11" AS "t13"
        WHERE
          "t13"."entity" = 'problem' AND "t13"."field" = 'due'
      ) AS "t17"
        ON "t26"."h_id" = "t17"."record_id" AND "t17"."at" <= "t26"."h_on"
    ) AS "t27"
    GROUP BY
      1
  ) AS "t29"
  RIGHT OUTER JOIN "t22" AS "t24"
    ON "t29"."f_id" = "t24"."id"
)
SELECT
  "t39"."id",
  "t39"."round_id",
  "t39"."unit_id",
  "t39"."category",
  "t39"."description",
  "t39"."found_on",
  "t39"."due",
  "t39"."deadline",
  "t39"."status",
  "t39"."common",
  "t39"."team",
  "t39"."responsible",
  "t39"."amount_yuan",
  "t39"."rectified_on",
  "t39"."closed_on",
  "t39"."added_at",
  "t39"."changed_at",
  "t39"."extensions",
  "t39"."judged_due",
  "t39"."f_on" AS "found_again_on"
FROM (
  SELECT
    "t35"."id",
    "t35"."round_id",
    "t35"."unit_id",
    "t35"."category",
    "t35"."description",
    "t35"."found_on",
    "t35"."due",
    "t35"."deadline",
    "t35"."status",
    "t35"."common",
    "t35"."team",
    "t35"."responsible",
    "t35"."amount_yuan",
    "t35"."rectified_on",
    "t35"."closed_on",
    "t35"."added_at",
    "t35"."changed_at",
    "t35"."extensions",
    "t35"."judged_due",
    "t38"."f_on"
  FROM (
    SELECT
      "t36"."p_id" AS "f_id",
      MIN("t36"."g_first") AS "f_on"
    FROM (
      SELECT
        "t33"."p_id",
        "t33"."p_unit",
        "t33"."p_category",
        "t33"."p_round",
        "t7"."s_id",
        "t7"."s_start",
        "t19"."g_unit",
        "t19"."g_category",
        "t19"."g_start",
        "t19"."g_first"
      FROM (
        SELECT
          "t31"."id" AS "p_id",
          "t31"."unit_id" AS "p_unit",
          "t31"."category" AS "p_category",
          "t31"."round_id" AS "p_round"
        FROM "t30" AS "t31"
      ) AS "t33"
      INNER JOIN (
        SELECT
          "t0"."id" AS "s_id",
          "t0"."start" AS "s_start"
        FROM "round_added" AS "t0"
      ) AS "t7"
        ON "t33"."p_round" = "t7"."s_id"
      INNER JOIN (
        SELECT
          "t16"."unit_id" AS "g_unit",
          "t16"."category" AS "g_category",
          "t16"."s_start" AS "g_start",
          MIN("t16"."added_at") AS "g_first"
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
            "t12"."added_seq",
            "t7"."s_id",
            "t7"."s_start"
          FROM (
            SELECT
              *
            FROM "problem_added" AS "t1"
            WHERE
              "t1"."id" IN (
                SELECT
                  *
                FROM "t6"
              )
          ) AS "t12"
          INNER JOIN (
            SELECT
              "t0"."id" AS "s_id",
              "t0"."start" AS "s_start"
            FROM "round_added" AS "t0"
          ) AS "t7"
            ON "t12"."round_id" = "t7"."s_id"
        ) AS "t16"
        GROUP BY
          1,
          2,
          3
      ) AS "t19"
        ON "t33"."p_unit" = "t19"."g_unit"
        AND "t33"."p_category" = "t19"."g_category"
        AND "t19"."g_start" > "t7"."s_start"
    ) AS "t36"
    GROUP BY
      1
  ) AS "t38"
  RIGHT OUTER JOIN (
    SELECT
      "t31"."id",
      "t31"."round_id",
      "t31"."unit_id",
      "t31"."category",
      "t31"."description",
      "t31"."found_on",
      "t31"."due",
      "t31"."deadline",
      "t31"."status",
      "t31"."common",
      "t31"."team",
      "t31"."responsible",
      "t31"."amount_yuan",
      "t31"."rectified_on",
      "t31"."closed_on",
      "t31"."added_at",
      "t31"."changed_at",
      "t31"."extensions",
      CASE
        WHEN "t31"."status" IN ('rectified', 'closed') AND (
          "t31"."f_id" IS NOT NULL
        )
        THEN CAST(NULLIF("t31"."f_value", '') AS DATE)
        WHEN "t31"."status" IN ('rectified', 'closed')
        THEN "t31"."recorded_due"
        ELSE "t31"."due"
      END AS "judged_due"
    FROM "t30" AS "t31"
  ) AS "t35"
    ON "t38"."f_id" = "t35"."id"
) AS "t39"
""",
    ("problem", "postgres", False): """
WITH "t16" AS (
  SELECT
    "t4"."id",
    "t4"."round_id",
    "t4"."unit_id",
    "t4"."category",
    "t4"."description",
    "t4"."found_on",
    CASE
      WHEN "t13"."new_due" IS NULL
      THEN "t4"."due"
      ELSE CAST(NULLIF("t13"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t13"."new_deadline" IS NULL
      THEN "t4"."deadline"
      ELSE NULLIF("t13"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t13"."new_status" IS NULL
      THEN "t4"."status"
      ELSE NULLIF("t13"."new_status", '')
    END AS "status",
    "t4"."common",
    "t4"."team",
    "t4"."responsible",
    "t4"."amount_yuan",
    CASE
      WHEN "t13"."new_rectified_on" IS NULL
      THEN "t4"."rectified_on"
      ELSE CAST(NULLIF("t13"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t13"."new_closed_on" IS NULL
      THEN "t4"."closed_on"
      ELSE CAST(NULLIF("t13"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t4"."added_at",
    COALESCE("t13"."last_change_at", "t4"."added_at") AS "changed_at",
    COALESCE("t13"."extensions", 0) AS "extensions",
    "t4"."due" AS "recorded_due"
  FROM "problem_added" AS "t4"
  LEFT OUTER JOIN (
    SELECT
      "t7"."record_id",
      (
        ARRAY_AGG("t7"."value" ORDER BY "t7"."seq" DESC NULLS LAST) FILTER(WHERE
          "t7"."seq" IS NOT NULL AND "t7"."field" = 'closed_on')
      )[1] AS "new_closed_on",
      (
        ARRAY_AGG("t7"."value" ORDER BY "t7"."seq" DESC NULLS LAST) FILTER(WHERE
          "t7"."seq" IS NOT NULL AND "t7"."field" = 'deadline')
      )[1] AS "new_deadline",
      (
        ARRAY_AGG("t7"."value" ORDER BY "t7"."seq" DESC NULLS LAST) FILTER(WHERE
          "t7"."seq" IS NOT NULL AND "t7"."field" = 'due')
      )[1] AS "new_due",
      (
        ARRAY_AGG("t7"."value" ORDER BY "t7"."seq" DESC NULLS LAST) FILTER(WHERE
          "t7"."seq" IS NOT NULL AND "t7"."field" = 'rectified_on')
      )[1] AS "new_rectified_on",
      (
        ARRAY_AGG("t7"."value" ORDER BY "t7"."seq" DESC NULLS LAST) FILTER(WHERE
          "t7"."seq" IS NOT NULL AND "t7"."field" = 'status')
      )[1] AS "new_status",
      MAX("t7"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t7"."seq" IN (
          SELECT
            "t3"."seq"
          FROM "events" AS "t3"
          WHERE
            "t3"."entity" = 'problem' AND "t3"."kind" = 'deadline_extended'
        )
        AND (
          "t7"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "changes" AS "t2"
      WHERE
        "t2"."entity" = 'problem'
    ) AS "t7"
    GROUP BY
      1
  ) AS "t13"
    ON "t4"."id" = "t13"."record_id"
), "t24" AS (
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
        "t10"."entity",
        "t10"."record_id",
        "t10"."field",
        "t10"."value",
        "t10"."at",
        "t10"."seq"
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
        FROM "changes" AS "t2"
        WHERE
          "t2"."entity" = 'problem' AND "t2"."field" = 'due'
      ) AS "t10"
        ON "t20"."h_id" = "t10"."record_id" AND "t10"."at" <= "t20"."h_on"
    ) AS "t21"
    GROUP BY
      1
  ) AS "t23"
  RIGHT OUTER JOIN "t16" AS "t18"
    ON "t23"."f_id" = "t18"."id"
)
SELECT
  "t33"."id",
  "t33"."round_id",
  "t33"."unit_id",
  "t33"."category",
  "t33"."description",
  "t33"."found_on",
  "t33"."due",
  "t33"."deadline",
  "t33"."status",
  "t33"."common",
  "t33"."team",
  "t33"."responsible",
  "t33"."amount_yuan",
  "t33"."rectified_on",
  "t33"."closed_on",
  "t33"."added_at",
  "t33"."changed_at",
  "t33"."extensions",
  "t33"."judged_due",
  "t33"."f_on" AS "found_again_on"
FROM (
  SELECT
    "t29"."id",
    "t29"."round_id",
    "t29"."unit_id",
    "t29"."category",
    "t29"."description",
    "t29"."found_on",
    "t29"."due",
    "t29"."deadline",
    "t29"."status",
    "t29"."common",
    "t29"."team",
    "t29"."responsible",
    "t29"."amount_yuan",
    "t29"."rectified_on",
    "t29"."closed_on",
    "t29"."added_at",
    "t29"."changed_at",
    "t29"."extensions",
    "t29"."judged_due",
    "t32"."f_on"
  FROM (
    SELECT
      "t30"."p_id" AS "f_id",
      MIN("t30"."g_first") AS "f_on"
    FROM (
      SELECT
        "t27"."p_id",
        "t27"."p_unit",
        "t27"."p_category",
        "t27"."p_round",
        "t6"."s_id",
        "t6"."s_start",
        "t15"."g_unit",
        "t15"."g_category",
        "t15"."g_start",
        "t15"."g_first"
      FROM (
        SELECT
          "t25"."id" AS "p_id",
          "t25"."unit_id" AS "p_unit",
          "t25"."category" AS "p_category",
          "t25"."round_id" AS "p_round"
        FROM "t24" AS "t25"
      ) AS "t27"
      INNER JOIN (
        SELECT
          "t0"."id" AS "s_id",
          "t0"."start" AS "s_start"
        FROM "round_added" AS "t0"
      ) AS "t6"
        ON "t27"."p_round" = "t6"."s_id"
      INNER JOIN (
        SELECT
          "t11"."unit_id" AS "g_unit",
          "t11"."category" AS "g_category",
          "t11"."s_start" AS "g_start",
          MIN("t11"."added_at") AS "g_first"
        FROM (
          SELECT
            "t4"."id",
            "t4"."round_id",
            "t4"."unit_id",
            "t4"."category",
            "t4"."description",
            "t4"."found_on",
            "t4"."due",
            "t4"."deadline",
            "t4"."status",
            "t4"."common",
            "t4"."team",
            "t4"."responsible",
            "t4"."amount_yuan",
            "t4"."rectified_on",
            "t4"."closed_on",
            "t4"."added_at",
            "t4"."added_seq",
            "t6"."s_id",
            "t6"."s_start"
          FROM "problem_added" AS "t4"
          INNER JOIN (
            SELECT
              "t0"."id" AS "s_id",
              "t0"."start" AS "s_start"
            FROM "round_added" AS "t0"
          ) AS "t6"
            ON "t4"."round_id" = "t6"."s_id"
        ) AS "t11"
        GROUP BY
          1,
          2,
          3
      ) AS "t15"
        ON "t27"."p_unit" = "t15"."g_unit"
        AND "t27"."p_category" = "t15"."g_category"
        AND "t15"."g_start" > "t6"."s_start"
    ) AS "t30"
    GROUP BY
      1
  ) AS "t32"
  RIGHT OUTER JOIN (
    SELECT
      "t25"."id",
      "t25"."round_id",
      "t25"."unit_id",
      "t25"."category",
      "t25"."description",
      "t25"."found_on",
      "t25"."due",
      "t25"."deadline",
      "t25"."status",
      "t25"."common",
      "t25"."team",
      "t25"."responsible",
      "t25"."amount_yuan",
      "t25"."rectified_on",
      "t25"."closed_on",
      "t25"."added_at",
      "t25"."changed_at",
      "t25"."extensions",
      CASE
        WHEN "t25"."status" IN ('rectified', 'closed') AND (
          "t25"."f_id" IS NOT NULL
        )
        THEN CAST(NULLIF("t25"."f_value", '') AS DATE)
        WHEN "t25"."status" IN ('rectified', 'closed')
        THEN "t25"."recorded_due"
        ELSE "t25"."due"
      END AS "judged_due"
    FROM "t24" AS "t25"
  ) AS "t29"
    ON "t32"."f_id" = "t29"."id"
) AS "t33"
""",
    ("problem", "postgres", True): """
WITH "t6" AS (
  SELECT
    *
  FROM "touched_ids" AS "t2"
), "t11" AS (
  SELECT
    *
  FROM "changes" AS "t3"
  WHERE
    "t3"."record_id" IN (
      SELECT
        *
      FROM "t6"
    )
), "t22" AS (
  SELECT
    "t12"."id",
    "t12"."round_id",
    "t12"."unit_id",
    "t12"."category",
    "t12"."description",
    "t12"."found_on",
    CASE
      WHEN "t21"."new_due" IS NULL
      THEN "t12"."due"
      ELSE CAST(NULLIF("t21"."new_due", '') AS DATE)
    END AS "due",
    CASE
      WHEN "t21"."new_deadline" IS NULL
      THEN "t12"."deadline"
      ELSE NULLIF("t21"."new_deadline", '')
    END AS "deadline",
    CASE
      WHEN "t21"."new_status" IS NULL
      THEN "t12"."status"
      ELSE NULLIF("t21"."new_status", '')
    END AS "status",
    "t12"."common",
    "t12"."team",
    "t12"."responsible",
    "t12"."amount_yuan",
    CASE
      WHEN "t21"."new_rectified_on" IS NULL
      THEN "t12"."rectified_on"
      ELSE CAST(NULLIF("t21"."new_rectified_on", '') AS DATE)
    END AS "rectified_on",
    CASE
      WHEN "t21"."new_closed_on" IS NULL
      THEN "t12"."closed_on"
      ELSE CAST(NULLIF("t21"."new_closed_on", '') AS DATE)
    END AS "closed_on",
    "t12"."added_at",
    COALESCE("t21"."last_change_at", "t12"."added_at") AS "changed_at",
    COALESCE("t21"."extensions", 0) AS "extensions",
    "t12"."due" AS "recorded_due"
  FROM (
    SELECT
      *
    FROM "problem_added" AS "t1"
    WHERE
      "t1"."id" IN (
        SELECT
          *
        FROM "t6"
      )
  ) AS "t12"
  LEFT OUTER JOIN (
    SELECT
      "t14"."record_id",
      (
        ARRAY_AGG("t14"."value" ORDER BY "t14"."seq" DESC NULLS LAST) FILTER(WHERE
          "t14"."seq" IS NOT NULL AND "t14"."field" = 'closed_on')
      )[1] AS "new_closed_on",
      (
        ARRAY_AGG("t14"."value" ORDER BY "t14"."seq" DESC NULLS LAST) FILTER(WHERE
          "t14"."seq" IS NOT NULL AND "t14"."field" = 'deadline')
      )[1] AS "new_deadline",
      (
        ARRAY_AGG("t14"."value" ORDER BY "t14"."seq" DESC NULLS LAST) FILTER(WHERE
          "t14"."seq" IS NOT NULL AND "t14"."field" = 'due')
      )[1] AS "new_due",
      (
        ARRAY_AGG("t14"."value" ORDER BY "t14"."seq" DESC NULLS LAST) FILTER(WHERE
          "t14"."seq" IS NOT NULL AND "t14"."field" = 'rectified_on')
      )[1] AS "new_rectified_on",
      (
        ARRAY_AGG("t14"."value" ORDER BY "t14"."seq" DESC NULLS LAST) FILTER(WHERE
          "t14"."seq" IS NOT NULL AND "t14"."field" = 'status')
      )[1] AS "new_status",
      MAX("t14"."at") AS "last_change_at",
      COUNT(*) FILTER(WHERE
        "t14"."seq" IN (
          SELECT
            "t4"."seq"
          FROM "events" AS "t4"
          WHERE
            "t4"."entity" = 'problem' AND "t4"."kind" = 'deadline_extended'
        )
        AND (
          "t14"."field" = 'due'
        )) AS "extensions"
    FROM (
      SELECT
        *
      FROM "t11" AS "t13"
      WHERE
        "t13"."entity" = 'problem'
    ) AS "t14"
    GROUP BY
      1
  ) AS "t21"
    ON "t12"."id" = "t21"."record_id"
), "t30" AS (
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
    "t24"."recorded_due",
    "t29"."f_id",
    "t29"."f_value"
  FROM (
    SELECT
      "t27"."h_id" AS "f_id",
      (
        ARRAY_AGG("t27"."value" ORDER BY "t27"."seq" DESC NULLS LAST) FILTER(WHERE
          "t27"."seq" IS NOT NULL)
      )[1] AS "f_value"
    FROM (
      SELECT
        "t26"."h_id",
        "t26"."h_on",
        "t17"."entity",
        "t17"."record_id",
        "t17"."field",
        "t17"."value",
        "t17"."at",
        "t17"."seq"
      FROM (
        SELECT
          "t23"."id" AS "h_id",
          "t23"."rectified_on" AS "h_on"
        FROM "t22" AS "t23"
        WHERE
          "t23"."status" IN ('rectified', 'closed') AND "t23"."rectified_on" IS NOT NULL
      ) AS "t26"
      INNER JOIN (
        SELECT
          *
        FROM "t11" AS "t13"
        WHERE
          "t13"."entity" = 'problem' AND "t13"."field" = 'due'
      ) AS "t17"
        ON "t26"."h_id" = "t17"."record_id" AND "t17"."at" <= "t26"."h_on"
    ) AS "t27"
    GROUP BY
      1
  ) AS "t29"
  RIGHT OUTER JOIN "t22" AS "t24"
    ON "t29"."f_id" = "t24"."id"
)
SELECT
  "t39"."id",
  "t39"."round_id",
  "t39"."unit_id",
  "t39"."category",
  "t39"."description",
  "t39"."found_on",
  "t39"."due",
  "t39"."deadline",
  "t39"."status",
  "t39"."common",
  "t39"."team",
  "t39"."responsible",
  "t39"."amount_yuan",
  "t39"."rectified_on",
  "t39"."closed_on",
  "t39"."added_at",
  "t39"."changed_at",
  "t39"."extensions",
  "t39"."judged_due",
  "t39"."f_on" AS "found_again_on"
FROM (
  SELECT
    "t35"."id",
    "t35"."round_id",
    "t35"."unit_id",
    "t35"."category",
    "t35"."description",
    "t35"."found_on",
    "t35"."due",
    "t35"."deadline",
    "t35"."status",
    "t35"."common",
    "t35"."team",
    "t35"."responsible",
    "t35"."amount_yuan",
    "t35"."rectified_on",
    "t35"."closed_on",
    "t35"."added_at",
    "t35"."changed_at",
    "t35"."extensions",
    "t35"."judged_due",
    "t38"."f_on"
  FROM (
    SELECT
      "t36"."p_id" AS "f_id",
      MIN("t36"."g_first") AS "f_on"
    FROM (
      SELECT
        "t33"."p_id",
        "t33"."p_unit",
        "t33"."p_category",
        "t33"."p_round",
        "t7"."s_id",
        "t7"."s_start",
        "t19"."g_unit",
        "t19"."g_category",
        "t19"."g_start",
        "t19"."g_first"
      FROM (
        SELECT
          "t31"."id" AS "p_id",
          "t31"."unit_id" AS "p_unit",
          "t31"."category" AS "p_category",
          "t31"."round_id" AS "p_round"
        FROM "t30" AS "t31"
      ) AS "t33"
      INNER JOIN (
        SELECT
          "t0"."id" AS "s_id",
          "t0"."start" AS "s_start"
        FROM "round_added" AS "t0"
      ) AS "t7"
        ON "t33"."p_round" = "t7"."s_id"
      INNER JOIN (
        SELECT
          "t16"."unit_id" AS "g_unit",
          "t16"."category" AS "g_category",
          "t16"."s_start" AS "g_start",
          MIN("t16"."added_at") AS "g_first"
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
            "t12"."added_seq",
            "t7"."s_id",
            "t7"."s_start"
          FROM (
            SELECT
              *
            FROM "problem_added" AS "t1"
            WHERE
              "t1"."id" IN (
                SELECT
                  *
                FROM "t6"
              )
          ) AS "t12"
          INNER JOIN (
            SELECT
              "t0"."id" AS "s_id",
              "t0"."start" AS "s_start"
            FROM "round_added" AS "t0"
          ) AS "t7"
            ON "t12"."round_id" = "t7"."s_id"
        ) AS "t16"
        GROUP BY
          1,
          2,
          3
      ) AS "t19"
        ON "t33"."p_unit" = "t19"."g_unit"
        AND "t33"."p_category" = "t19"."g_category"
        AND "t19"."g_start" > "t7"."s_start"
    ) AS "t36"
    GROUP BY
      1
  ) AS "t38"
  RIGHT OUTER JOIN (
    SELECT
      "t31"."id",
      "t31"."round_id",
      "t31"."unit_id",
      "t31"."category",
      "t31"."description",
      "t31"."found_on",
      "t31"."due",
      "t31"."deadline",
      "t31"."status",
      "t31"."common",
      "t31"."team",
      "t31"."responsible",
      "t31"."amount_yuan",
      "t31"."rectified_on",
      "t31"."closed_on",
      "t31"."added_at",
      "t31"."changed_at",
      "t31"."extensions",
      CASE
        WHEN "t31"."status" IN ('rectified', 'closed') AND (
          "t31"."f_id" IS NOT NULL
        )
        THEN CAST(NULLIF("t31"."f_value", '') AS DATE)
        WHEN "t31"."status" IN ('rectified', 'closed')
        THEN "t31"."recorded_due"
        ELSE "t31"."due"
      END AS "judged_due"
    FROM "t30" AS "t31"
  ) AS "t35"
    ON "t38"."f_id" = "t35"."id"
) AS "t39"
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
# the state without the column that looks across records (``toolkit.verify``)
_OWN = {
    ("problem", "duckdb"): """
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
    ("problem", "postgres"): """
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
}
STATE_SQL: dict[tuple[str, str, bool], str] = {key: text[1:-1] for key, text in _TEXTS.items()}
OWN_STATE_SQL: dict[tuple[str, str], str] = {key: text[1:-1] for key, text in _OWN.items()}
