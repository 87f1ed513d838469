-- label: Customer effort (easy %)
-- perspective: experience
-- description: Responses 5-7 on the 7-point "made it easy" agree scale / CES responses.
-- unit: percent
-- direction: higher
-- min_n: 30
-- target: 80
-- red_flag: 60
-- weight: 1
SELECT
    count(*) FILTER (WHERE easy) AS numerator,
    count(*) FILTER (WHERE ces IS NOT NULL) AS denominator
FROM m_surveys
