-- kpis: abandon_rate, aht, asa, avoidable_cost, avoidable_rate, channel_switch_rate, contacts, cost_per_contact, cpx, false_containment, fcr, first_response_time, reopen_rate, repeat_rate, resolution_time, service_caused_share, service_level, transfer_rate, unreachable_rate
-- One row per source record: the loader guarantees it; this proves it after every import.
SELECT contact_id, count(*) AS copies FROM contacts GROUP BY contact_id HAVING count(*) > 1
