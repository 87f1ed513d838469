-- kpis: csat, nps, ces, survey_resolution, channel_consistency_gap
SELECT response_id, count(*) AS copies FROM survey_responses GROUP BY response_id HAVING count(*) > 1
