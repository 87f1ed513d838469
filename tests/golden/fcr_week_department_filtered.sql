-- fcr ($channel_1 = 'email', $channel_2 = 'phone', $period_end = datetime.datetime(2024, 2, 1, 0, 0), $period_start = datetime.datetime(2024, 1, 1, 0, 0), $repeat_window_days = 30)
-- reads m_contacts
SELECT
  k.period,
  k.department,
  100.0 * CAST(k.numerator AS DOUBLE) / NULLIF(CAST(k.denominator AS DOUBLE), 0) AS value,
  CAST(k.numerator AS DOUBLE) AS numerator,
  CAST(k.denominator AS DOUBLE) AS denominator,
  CAST(k.denominator AS BIGINT) AS n
FROM (
  SELECT
    COUNT(*) FILTER(WHERE
      inbound
      AND handled
      AND known_customer
      AND NOT COALESCE(next_gap_seconds > 0 AND next_gap_seconds <= $repeat_window_days * 86400, FALSE)) AS numerator,
    COUNT(*) FILTER(WHERE
      inbound AND handled AND known_customer) AS denominator,
    CAST(DATE_TRUNC('WEEK', local_at) AS DATE) AS period,
    department
  FROM m_contacts
  WHERE
    (
      local_at >= $period_start AND local_at < $period_end
    )
    AND channel IN ($channel_1, $channel_2)
  GROUP BY
    CAST(DATE_TRUNC('WEEK', local_at) AS DATE),
    department
) AS k
ORDER BY
  k.period,
  k.department
