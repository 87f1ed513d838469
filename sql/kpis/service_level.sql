-- label: Service level
-- perspective: operational
-- description: Answered within sl_seconds / (answered + abandoned after at least short_abandon_seconds), over queued inbound contacts. Not split by team: an abandoned contact never reached one.
-- unit: percent
-- direction: higher
-- params: sl_seconds=20, short_abandon_seconds=5
-- dimensions: channel, department, reason, queue, source
-- min_n: 30
-- target: 80
-- red_flag: 60
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND queued AND answered AND coalesce(wait_seconds, 0) <= $sl_seconds
    ) AS numerator,
    count(*) FILTER (
        WHERE inbound AND queued
          AND (answered OR (abandoned AND coalesce(wait_seconds, 0) >= $short_abandon_seconds))
    ) AS denominator
FROM m_contacts
