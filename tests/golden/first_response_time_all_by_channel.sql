-- first_response_time
-- reads m_contacts
SELECT
  k.period,
  k.channel,
  CAST(k.value AS DOUBLE) AS value,
  CAST(NULL AS DOUBLE) AS numerator,
  CAST(NULL AS DOUBLE) AS denominator,
  CAST(k.n AS BIGINT) AS n
FROM (
  SELECT
    MEDIAN(first_response_seconds) FILTER(WHERE
      inbound) AS value,
    COUNT(first_response_seconds) FILTER(WHERE
      inbound) AS n,
    CAST(NULL AS DATE) AS period,
    channel
  FROM m_contacts
  GROUP BY
    channel
) AS k
ORDER BY
  k.period,
  k.channel
