-- label: Resolved, as customers say
-- perspective: experience
-- description: Responses saying the issue was resolved / responses answering that question.
-- unit: percent
-- direction: higher
-- min_n: 30
-- target: 80
-- red_flag: 65
-- weight: 1
SELECT
    count(*) FILTER (WHERE resolved) AS numerator,
    count(*) FILTER (WHERE resolved IS NOT NULL) AS denominator
FROM m_surveys
