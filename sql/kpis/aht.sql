-- label: Average handle time
-- perspective: operational
-- description: Sum of handle seconds / handled inbound contacts that have a recorded handle time. A source without handle times is left out, never counted as zero; outbound calls are not demand and are left out.
-- unit: seconds
-- direction: lower
-- min_n: 30
-- target: 360
-- red_flag: 600
-- weight: 1
SELECT
    sum(handle_seconds) FILTER (WHERE inbound AND handled AND handle_seconds IS NOT NULL) AS numerator,
    count(*) FILTER (WHERE inbound AND handled AND handle_seconds IS NOT NULL) AS denominator
FROM m_contacts
