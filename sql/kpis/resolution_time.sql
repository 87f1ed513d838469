-- label: Resolution time (median)
-- perspective: operational
-- description: Median seconds from open to (last) solved, over solved inbound contacts. A median is not additive: whole-month periods, split or filtered by channel and department, are read from monthly histograms of the values (within 0.99 % of the exact median, n exact); every other period and split is recomputed from the rows.
-- unit: seconds
-- direction: lower
-- looks_forward: open tickets
-- min_n: 30
-- target: 86400
-- red_flag: 259200
-- weight: 1
SELECT
    median(resolution_seconds) FILTER (WHERE inbound) AS value,
    count(resolution_seconds) FILTER (WHERE inbound) AS n
FROM m_contacts
