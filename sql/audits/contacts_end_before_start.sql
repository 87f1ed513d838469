-- kpis: resolution_time, first_response_time
-- A contact cannot be answered, first responded to or closed before it was opened.
SELECT contact_id, opened_at, answered_at, first_response_at, closed_at
FROM contacts
WHERE answered_at < opened_at OR first_response_at < opened_at OR closed_at < opened_at
