-- kpis: abandon_rate, aht, asa, avoidable_cost, avoidable_rate, channel_switch_rate, contacts, cost_per_contact, cpx, false_containment, fcr, first_response_time, reopen_rate, repeat_rate, resolution_time, service_caused_share, service_level, transfer_rate, unreachable_rate
-- Timestamps after now usually mean a wrong time zone or date format (dd/mm vs mm/dd).
SELECT contact_id, opened_at FROM contacts WHERE opened_at > now()::TIMESTAMP + INTERVAL 1 DAY
