-- label: Avoidable contact rate
-- perspective: avoidable
-- description: Inbound contacts whose reason is classed avoidable / inbound contacts with a mapped reason (reason map valid on the contact's date). Not split by reason: a reason is avoidable or not, so each would read 0 % or 100 %.
-- unit: percent
-- direction: lower
-- dimensions: channel, department, queue, team, source
-- min_n: 30
-- target: 30
-- red_flag: 50
-- weight: 1
SELECT
    count(*) FILTER (WHERE inbound AND mapped AND avoidable) AS numerator,
    count(*) FILTER (WHERE inbound AND mapped) AS denominator
FROM m_contacts
