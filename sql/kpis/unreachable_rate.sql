-- label: Unreachable (contact evasion)
-- perspective: avoidable
-- description: Inbound phone/chat attempts that never reached a person (abandoned at any wait, no answer, busy, failed, ended in the IVR or a bot) / inbound phone/chat attempts.
-- unit: percent
-- direction: lower
-- min_n: 30
-- target: 5
-- red_flag: 15
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND channel IN ('phone', 'chat') AND NOT reached_agent
    ) AS numerator,
    count(*) FILTER (WHERE inbound AND channel IN ('phone', 'chat')) AS denominator
FROM m_contacts
