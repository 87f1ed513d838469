-- label: Cost of avoidable contact
-- perspective: cost
-- description: Sum of contact cost of avoidable inbound contacts. Split by owning department this is the charge-back statement. Additive: totals are sums.
-- unit: currency
-- direction: lower
-- min_n: 1
-- weight: 1
SELECT
    sum(cost) FILTER (WHERE inbound AND avoidable) AS value,
    count(*) FILTER (WHERE inbound AND avoidable) AS n
FROM m_contacts
