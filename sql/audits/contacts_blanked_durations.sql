-- kpis: aht, asa, service_level, abandon_rate, cost_per_contact, avoidable_cost
-- Negative durations the import blanked (blanked_values): these contacts count, their time is unknown.
-- Only values of the version the warehouse still holds (a later, corrected export clears them).
SELECT c.contact_id, b.field, b.raw, b.file_name, b.line
FROM blanked_values b
JOIN contacts c ON c.import_id = b.import_id AND c.source_record_id = b.record_id
WHERE b.kind = 'contacts' AND b.field LIKE '%\_seconds' ESCAPE '\'
