-- kpis: aht, asa, service_level, abandon_rate, cost_per_contact, avoidable_cost
-- Durations are seconds and never negative.
SELECT contact_id, wait_seconds, talk_seconds, hold_seconds, wrap_seconds, handle_seconds
FROM contacts
WHERE wait_seconds < 0 OR talk_seconds < 0 OR hold_seconds < 0 OR wrap_seconds < 0 OR handle_seconds < 0
