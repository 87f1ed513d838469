-- Timestamps after now usually mean a wrong time zone or date format (dd/mm vs mm/dd).
SELECT contact_id, opened_at FROM contacts WHERE opened_at > now()::TIMESTAMP + INTERVAL 1 DAY
