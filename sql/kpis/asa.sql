-- label: Average speed of answer
-- perspective: operational
-- description: Sum of queue wait seconds of answered queued contacts / answered queued contacts (phone, chat). A missing wait counts as zero.
-- unit: seconds
-- direction: lower
-- min_n: 30
-- target: 30
-- red_flag: 120
-- weight: 1
SELECT
    sum(coalesce(wait_seconds, 0)) FILTER (WHERE inbound AND queued AND answered) AS numerator,
    count(*) FILTER (WHERE inbound AND queued AND answered) AS denominator
FROM m_contacts
