-- m_demand: contacts and demand units side by side, so contacts per X is one additive ratio.
-- Contact rows carry contacts = 1 (inbound only) and their dimensions; demand rows carry the units
-- of one driver spread evenly over the days of their month (so day and week grains stay
-- proportional) and their department (NULL for '*', i.e. the whole company). Demand has no channel,
-- reason, queue, team or source: per channel the denominator is not defined (see docs).
-- contact_id (NULL on demand rows) lets an import replace just its contacts' rows.
-- incremental: key=contact_id m_contacts=_delta_m_contacts demand=_delta_none_demand
CREATE OR REPLACE TABLE m_demand AS
SELECT
    local_at, channel, department, reason, queue, team, source,
    1 AS contacts, CAST(NULL AS TEXT) AS driver, CAST(0 AS DOUBLE) AS units, contact_id
FROM m_contacts
WHERE inbound
UNION ALL
SELECT
    CAST(d.day AS TIMESTAMP) AS local_at,
    NULL, CASE WHEN dm.department = '*' THEN NULL ELSE dm.department END, NULL, NULL, NULL, NULL,
    0, dm.driver,
    dm.value / (date_diff('day', dm.month, dm.month + INTERVAL 1 MONTH)) AS units,
    CAST(NULL AS TEXT)
FROM (SELECT date_trunc('month', period) AS month, department, driver, value FROM demand) dm,
     LATERAL unnest(generate_series(CAST(dm.month AS TIMESTAMP),
                                    CAST(dm.month + INTERVAL 1 MONTH - INTERVAL 1 DAY AS TIMESTAMP),
                                    INTERVAL 1 DAY)) AS d(day);
