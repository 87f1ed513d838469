-- label: Avoidable contact rate
-- perspective: avoidable
-- description: Inbound contacts whose reason is classed avoidable / inbound contacts with a mapped reason (reason map valid on the contact's date).
-- unit: percent
-- direction: lower
-- min_n: 30
-- target: 30
-- red_flag: 50
-- weight: 1
SELECT
    count(*) FILTER (WHERE inbound AND mapped AND avoidable) AS numerator,
    count(*) FILTER (WHERE inbound AND mapped) AS denominator
FROM m_contacts
