-- label: Average handle time
-- perspective: operational
-- description: Sum of handle seconds / handled contacts that have a recorded handle time. A source without handle times is left out, never counted as zero.
-- unit: seconds
-- direction: lower
-- min_n: 30
-- target: 360
-- red_flag: 600
-- weight: 1
SELECT
    sum(handle_seconds) FILTER (WHERE handled AND handle_seconds IS NOT NULL) AS numerator,
    count(*) FILTER (WHERE handled AND handle_seconds IS NOT NULL) AS denominator
FROM m_contacts
