-- kpis: csat, nps, ces, survey_resolution, channel_consistency_gap
-- Responses that name a ticket or contact that is not in the warehouse (yet).
SELECT response_id, case_id FROM survey_responses WHERE contact_id IS NULL AND case_id IS NOT NULL
