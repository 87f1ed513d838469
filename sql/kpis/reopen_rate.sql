-- label: Reopen rate
-- perspective: operational
-- description: Tickets reopened at least once / solved tickets.
-- unit: percent
-- direction: lower
-- min_n: 30
-- target: 5
-- red_flag: 10
-- weight: 1
SELECT
    count(*) FILTER (WHERE is_ticket AND solved AND reopened_count > 0) AS numerator,
    count(*) FILTER (WHERE is_ticket AND solved) AS denominator
FROM m_contacts
