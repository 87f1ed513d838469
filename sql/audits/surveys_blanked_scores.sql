-- kpis: csat, nps, ces, channel_consistency_gap
-- Survey scores off their scale that the import blanked (blanked_values): left out of the scores.
-- Only values of the version the warehouse still holds (a later, corrected export clears them).
SELECT r.response_id, b.field, b.raw, b.file_name, b.line
FROM blanked_values b
JOIN survey_responses r ON r.import_id = b.import_id AND r.source_record_id = b.record_id
WHERE b.kind = 'surveys'
