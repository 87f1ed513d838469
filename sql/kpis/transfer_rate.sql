-- label: Transfer rate
-- perspective: operational
-- description: Transferred handled inbound contacts / handled inbound contacts whose source records transfers. A ticket from an export without transfer data (transferred is NULL) is left out, never counted as "not transferred".
-- unit: percent
-- direction: lower
-- min_n: 30
-- target: 10
-- red_flag: 20
-- weight: 1
SELECT
    count(*) FILTER (WHERE inbound AND handled AND transferred) AS numerator,
    count(*) FILTER (WHERE inbound AND handled AND transferred IS NOT NULL) AS denominator
FROM m_contacts
