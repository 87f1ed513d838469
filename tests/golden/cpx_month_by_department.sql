-- cpx ($department_scope = True, $driver = 'shipments')
-- reads m_demand
SELECT
  k.period,
  k.department,
  1.0 * CAST(k.numerator AS DOUBLE) / NULLIF(CAST(k.denominator AS DOUBLE), 0) AS value,
  CAST(k.numerator AS DOUBLE) AS numerator,
  CAST(k.denominator AS DOUBLE) AS denominator,
  CAST(k.n AS BIGINT) AS n
FROM (
  SELECT
    SUM(contacts) AS numerator,
    SUM(units) FILTER(WHERE
      CASE
        WHEN $department_scope
        THEN NOT company AND (
          department_drivers = 1 OR driver = $driver
        )
        ELSE company AND driver = $driver
      END) AS denominator,
    SUM(contacts) AS n,
    CAST(DATE_TRUNC('MONTH', local_at) AS DATE) AS period,
    department
  FROM m_demand
  GROUP BY
    CAST(DATE_TRUNC('MONTH', local_at) AS DATE),
    department
) AS k
ORDER BY
  k.period,
  k.department
