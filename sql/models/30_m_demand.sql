-- m_demand: contacts and demand units side by side, so contacts per X is one additive ratio.
-- Contact rows carry contacts = 1 (inbound only) and their dimensions. Demand rows carry the units
-- of one driver spread evenly over the days of their month (so day and week grains stay
-- proportional), in two sets:
--   company rows     (company = true, department NULL): one row per day and driver, counted once.
--                    The demand table's '*' row when there is one, else the driver's largest
--                    department row: a driver listed under two departments (shipments under
--                    Logistics and Fulfilment) is the same shipments, not twice as many.
--   department rows  (company = false): the department's own drivers as the demand table lists
--                    them; department_drivers says how many distinct drivers the department has,
--                    so cpx can use a department's only driver (Finance per invoice) and the chosen
--                    one where a department lists several.
-- Demand has no channel, reason, queue, team or source: per channel the denominator is not defined.
-- contact_id (NULL on demand rows) lets an import replace just its contacts' rows.
-- incremental: key=contact_id m_contacts=_delta_m_contacts demand=_delta_none_demand
CREATE OR REPLACE TABLE m_demand AS
WITH months AS (
    SELECT date_trunc('month', period) AS month, department, driver, sum(value) AS value
    FROM demand
    GROUP BY ALL
),
company AS (
    SELECT month, driver,
           coalesce(max(value) FILTER (WHERE department = '*'), max(value)) AS value
    FROM months
    GROUP BY ALL
),
departments AS (
    SELECT month, department, driver, value,
           count(DISTINCT driver) OVER (PARTITION BY department) AS department_drivers
    FROM months
    WHERE department <> '*'
),
spread AS (
    SELECT month, NULL AS department, driver, value, true AS company, 0 AS department_drivers
    FROM company
    UNION ALL
    SELECT month, department, driver, value, false, department_drivers
    FROM departments
)
SELECT
    local_at, channel, department, reason, queue, team, source,
    1 AS contacts, CAST(NULL AS TEXT) AS driver, CAST(0 AS DOUBLE) AS units,
    CAST(NULL AS BOOLEAN) AS company, CAST(NULL AS BIGINT) AS department_drivers, contact_id
FROM m_contacts
WHERE inbound
UNION ALL
SELECT
    CAST(d.day AS TIMESTAMP) AS local_at,
    NULL, s.department, NULL, NULL, NULL, NULL,
    0, s.driver,
    s.value / (date_diff('day', s.month, s.month + INTERVAL 1 MONTH)) AS units,
    s.company, s.department_drivers, CAST(NULL AS TEXT)
FROM spread s,
     LATERAL unnest(generate_series(CAST(s.month AS TIMESTAMP),
                                    CAST(s.month + INTERVAL 1 MONTH - INTERVAL 1 DAY AS TIMESTAMP),
                                    INTERVAL 1 DAY)) AS d(day);
