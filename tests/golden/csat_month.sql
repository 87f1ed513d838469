-- csat
-- reads m_surveys
SELECT
  k.period,
  100.0 * CAST(k.numerator AS DOUBLE) / NULLIF(CAST(k.denominator AS DOUBLE), 0) AS value,
  CAST(k.numerator AS DOUBLE) AS numerator,
  CAST(k.denominator AS DOUBLE) AS denominator,
  CAST(k.denominator AS BIGINT) AS n
FROM (
  SELECT
    COUNT(*) FILTER(WHERE
      satisfied) AS numerator,
    COUNT(*) FILTER(WHERE
      NOT csat IS NULL) AS denominator,
    CAST(DATE_TRUNC('MONTH', local_at) AS DATE) AS period
  FROM m_surveys
  GROUP BY
    CAST(DATE_TRUNC('MONTH', local_at) AS DATE)
) AS k
ORDER BY
  k.period
