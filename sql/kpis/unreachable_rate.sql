-- label: Unreachable (contact evasion)
-- perspective: avoidable
-- description: Attempts to reach a person that failed / attempts to reach a person. An attempt is an inbound call or chat that was queued, offered to an agent or reached one, or an IVR/bot session in which the customer asked for an agent (agent_requested, where the source records it). It failed when it never reached a person (abandoned at any wait, no answer, busy, failed, or the IVR/bot ended it after the request). A self-service session in which nobody asked for an agent is not an attempt: whether it helped is false_containment. Not split by team: a failed attempt never reached one, so every team would read 0 % and "(none)" 100 %.
-- unit: percent
-- direction: lower
-- dimensions: channel, department, reason, queue, source
-- min_n: 30
-- target: 5
-- red_flag: 15
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE attempt AND NOT reached_agent
    ) AS numerator,
    count(*) FILTER (WHERE attempt) AS denominator
FROM m_contacts
