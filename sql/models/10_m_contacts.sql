-- m_contacts: one row per contact with everything the contact KPIs need, computed once per import.
-- Joins (reason map, channel costs) and the customer journey windows live here so that every KPI
-- is a plain aggregate over this one table. Windows whose length is a KPI parameter are NOT
-- applied here: the model stores the gap in seconds, the KPI compares it with its parameter.
--   local_at            opened_at in settings.business_timezone (the timestamp periods bucket on)
--   department          owning department from reason_map valid on the local date, else 'Unmapped'
--   service_caused      department = settings.service_department (default 'Customer Service')
--   prev_gap_seconds    seconds since the previous INBOUND contact of the same customer
--   next_gap_seconds    seconds until the next INBOUND contact of the same customer
--   next_switch_gap_seconds    ... until the next inbound contact on ANOTHER channel
--   next_assisted_gap_seconds  ... until the next inbound assisted (not self-service) contact
--   (customer order is opened_at, then contact_id; NULL for outbound or unknown customers)
--   cost                handle minutes x cost_per_minute + cost_per_contact (rate valid that day)
-- An import refreshes only the customers it touched (sql/warehouse.py, refresh_incremental):
-- incremental: key=contact_id contacts=_delta_contacts
CREATE OR REPLACE TABLE m_contacts AS
WITH base AS (
    SELECT
        c.*,
        CAST(timezone(
            coalesce((SELECT max(value) FROM settings WHERE key = 'business_timezone'), 'UTC'),
            CAST(c.opened_at AS TIMESTAMPTZ)) AS TIMESTAMP) AS local_at,
        c.direction = 'inbound' AS inbound,
        c.customer_key IS NOT NULL AS known_customer,
        coalesce(c.self_service, false) OR coalesce(c.outcome IN ('ivr', 'bot'), false)
            AS is_self_service,
        c.answered_at IS NOT NULL AND NOT coalesce(c.abandoned, false)
            OR coalesce(c.outcome IN ('answered', 'handled'), false) AS reached_agent
    FROM contacts c
),
flagged AS (
    SELECT
        b.*,
        CAST(b.local_at AS DATE) AS local_date,
        b.channel NOT IN ('phone', 'chat', 'self_service') AS is_ticket,
        CASE
            WHEN b.outcome IN ('answered', 'handled') THEN true
            WHEN b.outcome IN ('abandoned', 'no_answer', 'busy', 'failed', 'ivr', 'bot', 'unhandled')
                THEN false
            ELSE NOT b.is_self_service AND NOT coalesce(b.abandoned, false)
                 AND (b.answered_at IS NOT NULL OR b.first_response_at IS NOT NULL
                      OR coalesce(b.status IN ('solved', 'closed'), false))
        END AS handled,
        coalesce(b.queued, false) AND b.reached_agent AS answered,
        coalesce(b.status IN ('solved', 'closed'), false) AS solved,
        date_diff('millisecond', b.opened_at,
                  CASE WHEN b.channel IN ('phone', 'chat')
                       THEN coalesce(b.answered_at, b.first_response_at)
                       ELSE coalesce(b.first_response_at, b.answered_at) END) / 1000.0
            AS first_response_seconds,
        CASE WHEN b.status IN ('solved', 'closed')
             THEN date_diff('millisecond', b.opened_at, b.closed_at) / 1000.0 END
            AS resolution_seconds
    FROM base b
),
journey AS (
    -- inbound contacts of known customers, in customer order; switch marks a change of channel
    SELECT
        contact_id, opened_at, channel, is_self_service, customer_key,
        coalesce(channel <> lag(channel) OVER w, false) AS switched
    FROM flagged
    WHERE inbound AND known_customer
    WINDOW w AS (PARTITION BY customer_key ORDER BY opened_at, contact_id)
),
gaps AS (
    SELECT
        contact_id,
        date_diff('millisecond', lag(opened_at) OVER w, opened_at) / 1000.0 AS prev_gap_seconds,
        lag(channel) OVER w AS prev_channel,
        date_diff('millisecond', opened_at, lead(opened_at) OVER w) / 1000.0 AS next_gap_seconds,
        lead(channel) OVER w AS next_channel,
        NOT lead(is_self_service) OVER w AS next_assisted,
        -- the first later contact that starts a new channel run is the next contact on another channel
        date_diff('millisecond', opened_at,
                  min(opened_at) FILTER (WHERE switched) OVER later) / 1000.0
            AS next_switch_gap_seconds,
        date_diff('millisecond', opened_at,
                  min(opened_at) FILTER (WHERE NOT is_self_service) OVER later) / 1000.0
            AS next_assisted_gap_seconds
    FROM journey
    WINDOW w AS (PARTITION BY customer_key ORDER BY opened_at, contact_id),
           later AS (PARTITION BY customer_key ORDER BY opened_at, contact_id
                     ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
)
SELECT
    f.contact_id, f.source, f.case_id, f.customer_key, f.channel, f.direction,
    f.opened_at, f.answered_at, f.first_response_at, f.closed_at,
    f.local_at, f.local_date,
    f.queue, f.team, f.agent,
    f.wait_seconds, f.talk_seconds, f.hold_seconds, f.wrap_seconds, f.handle_seconds,
    coalesce(f.queued, false) AS queued,
    coalesce(f.abandoned, false) AS abandoned,
    coalesce(f.transferred, false) AS transferred,
    f.is_self_service AS self_service,
    coalesce(f.reopened_count, 0) AS reopened_count,
    f.status, f.outcome, f.reason,
    f.inbound, f.known_customer, f.is_ticket, f.handled, f.answered, f.solved, f.reached_agent,
    f.first_response_seconds, f.resolution_seconds,
    coalesce(f.local_date <= rm.valid_to, false) AS mapped,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.label END AS reason_label,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.department ELSE 'Unmapped' END AS department,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.avoidable END AS avoidable,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.quadrant END AS quadrant,
    coalesce(f.local_date <= rm.valid_to, false) AND rm.department = coalesce(
        (SELECT max(value) FROM settings WHERE key = 'service_department'), 'Customer Service')
        AS service_caused,
    g.prev_gap_seconds, g.prev_channel, g.next_gap_seconds, g.next_channel, g.next_assisted,
    g.next_switch_gap_seconds, g.next_assisted_gap_seconds,
    coalesce(f.handle_seconds, 0) / 60.0 * coalesce(cc.cost_per_minute, 0)
        + coalesce(cc.cost_per_contact, 0) AS cost,
    cc.channel IS NOT NULL AS costed
FROM flagged f
LEFT JOIN gaps g ON g.contact_id = f.contact_id
ASOF LEFT JOIN reason_map rm
    ON rm.reason = f.reason AND f.local_date >= rm.valid_from
ASOF LEFT JOIN channel_costs cc
    ON cc.channel = f.channel AND f.local_date >= cc.valid_from
ORDER BY local_at;  -- sorted by time: zone maps skip what a date range excludes
