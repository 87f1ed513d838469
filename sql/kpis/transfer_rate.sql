-- label: Transfer rate
-- perspective: operational
-- description: Transferred contacts / handled contacts.
-- unit: percent
-- direction: lower
-- min_n: 30
-- target: 10
-- red_flag: 20
-- weight: 1
SELECT
    count(*) FILTER (WHERE handled AND transferred) AS numerator,
    count(*) FILTER (WHERE handled) AS denominator
FROM m_contacts
