SELECT response_id, count(*) AS copies FROM survey_responses GROUP BY response_id HAVING count(*) > 1
