-- label: Inbound contacts
-- perspective: operational
-- description: Count of inbound contacts (tickets, calls including abandoned and IVR-only ones, chats, message threads). Additive: totals are sums.
-- unit: count
-- direction: lower
-- min_n: 1
-- weight: 0
SELECT
    count(*) FILTER (WHERE inbound) AS value,
    count(*) FILTER (WHERE inbound) AS n
FROM m_contacts
