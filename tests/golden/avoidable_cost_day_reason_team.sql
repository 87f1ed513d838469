-- avoidable_cost ($source_1 = 'z')
-- reads m_contacts
SELECT
  k.period,
  k.reason,
  k.team,
  CAST(k.value AS DOUBLE) AS value,
  CAST(NULL AS DOUBLE) AS numerator,
  CAST(NULL AS DOUBLE) AS denominator,
  CAST(k.n AS BIGINT) AS n
FROM (
  SELECT
    SUM(cost) FILTER(WHERE
      inbound AND avoidable) AS value,
    COUNT(*) FILTER(WHERE
      inbound AND avoidable) AS n,
    CAST(DATE_TRUNC('DAY', local_at) AS DATE) AS period,
    reason,
    team
  FROM m_contacts
  WHERE
    source IN ($source_1)
  GROUP BY
    CAST(DATE_TRUNC('DAY', local_at) AS DATE),
    reason,
    team
) AS k
ORDER BY
  k.period,
  k.reason,
  k.team
