-- label: Caused by service itself
-- perspective: avoidable
-- description: Avoidable contacts owned by Customer Service (the department named by settings.service_department) / avoidable contacts. A share across departments: under a department (or reason) filter it is not applicable.
-- unit: percent
-- direction: lower
-- dimensions: channel, queue, team, source
-- min_n: 30
-- target: 20
-- red_flag: 40
-- weight: 1
SELECT
    count(*) FILTER (WHERE inbound AND avoidable AND service_caused) AS numerator,
    count(*) FILTER (WHERE inbound AND avoidable) AS denominator
FROM m_contacts
