-- m_surveys: one row per survey response with its contact's channel, owning department, reason,
-- queue and team (the survey's own channel when no contact is linked), and the per-scale flags the
-- experience KPIs count. Periods bucket on the local response time.
--   satisfied  csat top-2-box: scale 2 -> 1 (good); scale 5 -> 4..5; scale 10 -> 9..10
--   promoter   nps 9..10;  detractor  nps 0..6;  easy  ces 5..7 (7-point agree scale)
-- incremental: key=response_id survey_responses=_delta_survey_responses
CREATE OR REPLACE TABLE m_surveys AS
SELECT
    s.response_id, s.source, s.contact_id, s.case_id, s.customer_key,
    coalesce(c.channel, s.channel, 'other') AS channel,
    coalesce(c.department, 'Unmapped') AS department,
    c.reason, c.queue, c.team, c.agent,
    s.responded_at,
    CAST(timezone(
        coalesce((SELECT max(value) FROM settings WHERE key = 'business_timezone'), 'UTC'),
        CAST(s.responded_at AS TIMESTAMPTZ)) AS TIMESTAMP) AS local_at,
    s.csat, s.csat_scale, s.nps, s.ces, s.resolved, s.comment,
    CASE coalesce(s.csat_scale, 5)
        WHEN 2 THEN s.csat >= 1
        WHEN 5 THEN s.csat >= 4
        WHEN 10 THEN s.csat >= 9
    END AS satisfied,
    s.nps >= 9 AS promoter,
    s.nps <= 6 AS detractor,
    s.ces >= 5 AS easy
FROM survey_responses s
LEFT JOIN m_contacts c ON c.contact_id = s.contact_id
ORDER BY local_at;  -- sorted by time: zone maps skip what a date range excludes
