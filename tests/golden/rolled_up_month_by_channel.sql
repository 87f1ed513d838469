-- contacts, aht ($department_1 = 'B', $period_end = datetime.datetime(2026, 4, 1, 0, 0), $period_start = datetime.datetime(2026, 1, 1, 0, 0))
-- reads r_m_contacts
WITH k AS MATERIALIZED (
  SELECT
    COALESCE(SUM(contacts__value), 0) AS contacts__value,
    COALESCE(SUM(contacts__n), 0) AS contacts__n,
    SUM(aht__numerator) AS aht__numerator,
    COALESCE(SUM(aht__denominator), 0) AS aht__denominator,
    CAST(DATE_TRUNC('MONTH', day) AS DATE) AS period,
    channel
  FROM r_m_contacts
  WHERE
    (
      day >= $period_start AND day < $period_end
    )
    AND department IN ($department_1)
  GROUP BY
    CAST(DATE_TRUNC('MONTH', day) AS DATE),
    channel
)
SELECT
  *
FROM (
  SELECT
    'contacts' AS kpi,
    period,
    channel,
    CAST(contacts__value AS DOUBLE) AS value,
    CAST(NULL AS DOUBLE) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator,
    CAST(contacts__n AS BIGINT) AS n
  FROM k
  UNION ALL
  SELECT
    'aht' AS kpi,
    period,
    channel,
    1.0 * CAST(aht__numerator AS DOUBLE) / NULLIF(CAST(aht__denominator AS DOUBLE), 0) AS value,
    CAST(aht__numerator AS DOUBLE) AS numerator,
    CAST(aht__denominator AS DOUBLE) AS denominator,
    CAST(aht__denominator AS BIGINT) AS n
  FROM k
) AS u
ORDER BY
  LIST_POSITION(['contacts', 'aht'], kpi),
  period,
  channel

-- contacts, aht ($department_1 = 'B', $period_end = datetime.datetime(2026, 4, 1, 0, 0), $period_start = datetime.datetime(2026, 1, 1, 0, 0))
-- reads r_m_contacts
WITH k AS MATERIALIZED (
  SELECT
    COALESCE(SUM(contacts__value), 0) AS contacts__value,
    COALESCE(SUM(contacts__n), 0) AS contacts__n,
    SUM(aht__numerator) AS aht__numerator,
    COALESCE(SUM(aht__denominator), 0) AS aht__denominator,
    CAST(DATE_TRUNC('MONTH', day) AS DATE) AS period,
    channel
  FROM r_m_contacts
  WHERE
    (
      day >= $period_start AND day < $period_end
    )
    AND department IN ($department_1)
  GROUP BY
    CAST(DATE_TRUNC('MONTH', day) AS DATE),
    channel
)
SELECT
  *
FROM (
  SELECT
    'contacts' AS kpi,
    period,
    channel,
    CAST(contacts__value AS DOUBLE) AS value,
    CAST(NULL AS DOUBLE) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator,
    CAST(contacts__n AS BIGINT) AS n
  FROM k
  UNION ALL
  SELECT
    'aht' AS kpi,
    period,
    channel,
    1.0 * CAST(aht__numerator AS DOUBLE) / NULLIF(CAST(aht__denominator AS DOUBLE), 0) AS value,
    CAST(aht__numerator AS DOUBLE) AS numerator,
    CAST(aht__denominator AS DOUBLE) AS denominator,
    CAST(aht__denominator AS BIGINT) AS n
  FROM k
) AS u
ORDER BY
  LIST_POSITION(['contacts', 'aht'], kpi),
  period,
  channel

-- csat ($department_1 = 'B', $period_end = datetime.datetime(2026, 4, 1, 0, 0), $period_start = datetime.datetime(2026, 1, 1, 0, 0))
-- reads r_m_surveys
WITH k AS MATERIALIZED (
  SELECT
    COALESCE(SUM(csat__numerator), 0) AS csat__numerator,
    COALESCE(SUM(csat__denominator), 0) AS csat__denominator,
    CAST(DATE_TRUNC('MONTH', day) AS DATE) AS period,
    channel
  FROM r_m_surveys
  WHERE
    (
      day >= $period_start AND day < $period_end
    )
    AND department IN ($department_1)
  GROUP BY
    CAST(DATE_TRUNC('MONTH', day) AS DATE),
    channel
)
SELECT
  *
FROM (
  SELECT
    'csat' AS kpi,
    period,
    channel,
    100.0 * CAST(csat__numerator AS DOUBLE) / NULLIF(CAST(csat__denominator AS DOUBLE), 0) AS value,
    CAST(csat__numerator AS DOUBLE) AS numerator,
    CAST(csat__denominator AS DOUBLE) AS denominator,
    CAST(csat__denominator AS BIGINT) AS n
  FROM k
) AS u
ORDER BY
  LIST_POSITION(['csat'], kpi),
  period,
  channel
