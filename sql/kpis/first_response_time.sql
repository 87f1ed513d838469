-- label: First response time (median)
-- perspective: operational
-- description: Median seconds from open to first agent response (tickets: first public reply; calls and chats: answer), over inbound contacts that got one. A median is not additive: whole-month periods, split or filtered by channel and department, are read from monthly histograms of the values (within 0.99 % of the exact median, n exact); every other period and split is recomputed from the rows.
-- unit: seconds
-- direction: lower
-- min_n: 30
-- target: 3600
-- red_flag: 86400
-- weight: 1
SELECT
    median(first_response_seconds) FILTER (WHERE inbound) AS value,
    count(first_response_seconds) FILTER (WHERE inbound) AS n
FROM m_contacts
