-- contacts, aht ($department_1 = 'B', $period_end = datetime.datetime(2026, 4, 1, 0, 0), $period_start = datetime.datetime(2026, 1, 1, 0, 0))
-- reads r_m_contacts
-- contacts: value = contacts__value, n = contacts__n
-- aht: value = 1 * aht__numerator / aht__denominator, n = aht__denominator
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
ORDER BY
  period,
  channel

-- contacts, aht ($department_1 = 'B', $period_end = datetime.datetime(2026, 4, 1, 0, 0), $period_start = datetime.datetime(2026, 1, 1, 0, 0))
-- reads r_m_contacts
-- contacts: value = contacts__value, n = contacts__n
-- aht: value = 1 * aht__numerator / aht__denominator, n = aht__denominator
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
ORDER BY
  period,
  channel

-- csat ($department_1 = 'B', $period_end = datetime.datetime(2026, 4, 1, 0, 0), $period_start = datetime.datetime(2026, 1, 1, 0, 0))
-- reads r_m_surveys
-- csat: value = 100 * csat__numerator / csat__denominator, n = csat__denominator
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
ORDER BY
  period,
  channel
