-- kpis: resolution_time, first_response_time
-- Answer, first-response or close times before the open time that the import blanked (blanked_values):
-- these contacts count, but their resolution / response time is unknown and left out of the medians.
-- Only values of the version the warehouse still holds (a later, corrected export clears them).
SELECT c.contact_id, b.field, b.raw, b.file_name, b.line
FROM blanked_values b
JOIN contacts c ON c.import_id = b.import_id AND c.source_record_id = b.record_id
WHERE b.kind = 'contacts' AND b.field IN ('answered_at', 'first_response_at', 'closed_at')
