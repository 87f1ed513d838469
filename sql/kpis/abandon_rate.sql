-- label: Abandonment
-- perspective: operational
-- description: Contacts abandoned in queue after waiting at least short_abandon_seconds / (queued contacts - short abandons). Not split by team: an abandoned contact never reached one.
-- unit: percent
-- direction: lower
-- params: short_abandon_seconds=5
-- dimensions: channel, department, reason, queue, source
-- min_n: 30
-- target: 5
-- red_flag: 10
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND queued AND abandoned
          AND coalesce(wait_seconds, 0) >= $short_abandon_seconds
    ) AS numerator,
    count(*) FILTER (
        WHERE inbound AND queued
          AND NOT (abandoned AND coalesce(wait_seconds, 0) < $short_abandon_seconds)
    ) AS denominator
FROM m_contacts
