-- label: Cross-channel CSAT gap
-- perspective: experience
-- description: Max - min of CSAT across channels that have at least min_n rated responses, in percentage points; lower is better. The body is CSAT per channel; the compiler groups it by channel (spread_over) and takes the spread at each grain, so a total is recomputed from the rows, never averaged. n = rated responses in the channels compared; no value with fewer than two such channels.
-- unit: points
-- direction: lower
-- params: min_n=30
-- spread_over: channel
-- scale: 100
-- dimensions: department, reason, queue, team, source
-- min_n: 30
-- target: 5
-- red_flag: 15
-- weight: 1
SELECT
    count(*) FILTER (WHERE satisfied) AS numerator,
    count(*) FILTER (WHERE csat IS NOT NULL) AS denominator
FROM m_surveys
