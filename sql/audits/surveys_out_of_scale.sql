-- kpis: csat, nps, ces, channel_consistency_gap
-- Scores outside their scale: CSAT 0/1 on good/bad, 1-5 on five points; NPS 0-10; CES 1-7.
SELECT response_id, csat, csat_scale, nps, ces
FROM survey_responses
WHERE (csat_scale = 2 AND csat NOT IN (0, 1))
   OR (csat_scale = 5 AND (csat < 1 OR csat > 5))
   OR (csat_scale = 10 AND (csat < 0 OR csat > 10))
   OR nps < 0 OR nps > 10 OR ces < 1 OR ces > 7
