-- label: CSAT
-- perspective: experience
-- description: Survey responses rated satisfied / survey responses with a satisfaction rating. Satisfied is top-2-box on a 1-5 scale (4 or 5), 9-10 on a 0-10 scale, "good" on good/bad scales (m_surveys.satisfied).
-- unit: percent
-- direction: higher
-- min_n: 30
-- target: 85
-- red_flag: 70
-- weight: 1
SELECT
    count(*) FILTER (WHERE satisfied) AS numerator,
    count(*) FILTER (WHERE csat IS NOT NULL) AS denominator
FROM m_surveys
