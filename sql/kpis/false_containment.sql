-- label: False containment
-- perspective: avoidable
-- description: Self-service or IVR-only sessions followed within containment_hours by an assisted contact of the same customer / self-service or IVR-only sessions.
-- unit: percent
-- direction: lower
-- params: containment_hours=24
-- looks_forward: containment_hours hours
-- min_n: 30
-- target: 10
-- red_flag: 25
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND self_service
          AND next_assisted_gap_seconds > 0
          AND next_assisted_gap_seconds <= $containment_hours * 3600
    ) AS numerator,
    count(*) FILTER (WHERE inbound AND self_service) AS denominator
FROM m_contacts
