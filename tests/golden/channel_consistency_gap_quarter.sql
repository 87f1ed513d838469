-- channel_consistency_gap ($min_n = 1)
-- reads m_surveys
SELECT
  k.period,
  CASE
    WHEN COUNT(*) FILTER(WHERE
      k.denominator >= $min_n) >= 2
    THEN 100.0 * (
      MAX(CAST(k.numerator AS DOUBLE) / NULLIF(CAST(k.denominator AS DOUBLE), 0)) FILTER(WHERE
        k.denominator >= $min_n) - MIN(CAST(k.numerator AS DOUBLE) / NULLIF(CAST(k.denominator AS DOUBLE), 0)) FILTER(WHERE
        k.denominator >= $min_n)
    )
  END AS value,
  CAST(NULL AS DOUBLE) AS numerator,
  CAST(NULL AS DOUBLE) AS denominator,
  CAST(COALESCE(SUM(k.denominator) FILTER(WHERE
    k.denominator >= $min_n), 0) AS BIGINT) AS n
FROM (
  SELECT
    COUNT(*) FILTER(WHERE
      satisfied) AS numerator,
    COUNT(*) FILTER(WHERE
      NOT csat IS NULL) AS denominator,
    CAST(DATE_TRUNC('QUARTER', local_at) AS DATE) AS period,
    channel
  FROM m_surveys
  GROUP BY
    CAST(DATE_TRUNC('QUARTER', local_at) AS DATE),
    channel
) AS k
GROUP BY
  k.period
ORDER BY
  k.period
