-- kpis: avoidable_rate, avoidable_cost, service_caused_share
-- Inbound contacts whose reason is not in the reason map have no owning department.
SELECT c.reason, count(*) AS contacts
FROM contacts c
WHERE c.direction = 'inbound' AND c.reason IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM reason_map m WHERE m.reason = c.reason)
GROUP BY c.reason
