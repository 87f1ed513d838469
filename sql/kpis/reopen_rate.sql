-- label: Reopen rate
-- perspective: operational
-- description: Solved tickets reopened at least once / solved tickets. A ticket is defined by its source (a helpdesk or CRM record, whatever its channel: Zendesk chat and phone tickets count), not by its channel.
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
