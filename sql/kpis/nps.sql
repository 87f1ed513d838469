-- label: Net Promoter Score
-- perspective: experience
-- description: (% of 0-10 answers that are 9-10) - (% that are 0-6), range -100..100. Numerator = promoters - detractors, denominator = NPS answers, so totals stay exact.
-- unit: points
-- direction: higher
-- min_n: 30
-- target: 30
-- red_flag: 0
-- weight: 1
SELECT
    count(*) FILTER (WHERE promoter) - count(*) FILTER (WHERE detractor) AS numerator,
    count(*) FILTER (WHERE nps IS NOT NULL) AS denominator
FROM m_surveys
