-- m_contacts: one row per contact with everything the contact KPIs need, computed once per import.
-- Joins (reason map, channel costs) and the customer journey windows live here so that every KPI
-- is a plain aggregate over this one table. Windows whose length is a KPI parameter are NOT
-- applied here: the model stores the gap in seconds, the KPI compares it with its parameter.
--   local_at            opened_at in settings.business_timezone (the timestamp periods bucket on)
--   department          owning department from reason_map valid on the local date, else 'Unmapped'
--   service_caused      department = settings.service_department (default 'Customer Service')
--   prev_gap_seconds    seconds since the latest EARLIER inbound contact of the same customer
--   next_gap_seconds    seconds until the next LATER inbound contact of the same customer
--   next_switch_gap_seconds    ... until the next later inbound contact on ANOTHER channel
--   next_assisted_gap_seconds  ... until the next later inbound assisted (not self-service) contact
--   ("earlier"/"later" are strict: a contact of the same customer at the same time is neither, so a
--   tie never hides a real repeat (kpis.md "within N days after"); NULL for outbound or unknown
--   customers)
--   is_ticket           from a ticketing/case system (contacts.ticket, decided by the source);
--                       where the source does not say (NULL), a contact outside phone/chat/self-service
--   transferred         as recorded; NULL where the source does not record transfers
--   attempt             an inbound attempt to reach a person (kpis.md unreachable_rate): a phone/chat
--                       contact that was queued, offered to an agent or reached one (a phone or chat
--                       ticket of a helpdesk was sent to its agents), or an IVR/bot
--                       session in which the customer asked for an agent (agent_requested)
--   cost                handle minutes x cost_per_minute + cost_per_contact (rate valid that day);
--                       IVR-only and bot sessions at the self_service rate when the table has one
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
        coalesce(c.outcome IN ('answered', 'abandoned', 'no_answer', 'busy', 'failed'), false)
            OR coalesce(c.queued, false) OR c.answered_at IS NOT NULL AS offered,
        c.answered_at IS NOT NULL AND NOT coalesce(c.abandoned, false)
            OR coalesce(c.outcome IN ('answered', 'handled'), false) AS reached_agent
    FROM contacts c
),
flagged AS (
    SELECT
        b.*,
        CAST(b.local_at AS DATE) AS local_date,
        coalesce(b.ticket, b.channel NOT IN ('phone', 'chat', 'self_service')) AS is_ticket,
        b.inbound AND (b.channel IN ('phone', 'chat')
                       AND (b.offered OR b.reached_agent OR coalesce(b.ticket, false)
                            OR coalesce(b.agent_requested, false))
                       OR b.is_self_service AND coalesce(b.agent_requested, false)) AS attempt,
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
    -- inbound contacts of known customers; windows below order them by open time per customer
    -- at whole seconds: contacts of one customer in the same second are neither before nor after
    SELECT contact_id, date_trunc('second', opened_at) AS opened_at, channel, is_self_service,
           customer_key
    FROM flagged
    WHERE inbound AND known_customer
),
gaps AS (
    -- RANGE frames over opened_at look strictly before / after this contact's time, past ties
    SELECT
        contact_id,
        date_diff('millisecond', max(opened_at) OVER earlier, opened_at) / 1000.0 AS prev_gap_seconds,
        date_diff('millisecond', opened_at, min(opened_at) OVER later) / 1000.0 AS next_gap_seconds,
        -- the earliest later contact on a channel other than this one's (one aggregate per channel)
        date_diff('millisecond', opened_at, CASE channel
            WHEN 'phone' THEN min(opened_at) FILTER (WHERE channel <> 'phone') OVER later
            WHEN 'email' THEN min(opened_at) FILTER (WHERE channel <> 'email') OVER later
            WHEN 'web' THEN min(opened_at) FILTER (WHERE channel <> 'web') OVER later
            WHEN 'chat' THEN min(opened_at) FILTER (WHERE channel <> 'chat') OVER later
            WHEN 'social' THEN min(opened_at) FILTER (WHERE channel <> 'social') OVER later
            WHEN 'messaging' THEN min(opened_at) FILTER (WHERE channel <> 'messaging') OVER later
            WHEN 'self_service' THEN min(opened_at) FILTER (WHERE channel <> 'self_service') OVER later
            ELSE min(opened_at) FILTER (WHERE channel <> 'other') OVER later
        END) / 1000.0 AS next_switch_gap_seconds,
        date_diff('millisecond', opened_at,
                  min(opened_at) FILTER (WHERE NOT is_self_service) OVER later) / 1000.0
            AS next_assisted_gap_seconds
    FROM journey
    WINDOW earlier AS (PARTITION BY customer_key ORDER BY opened_at
                       RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 SECOND PRECEDING),
           later AS (PARTITION BY customer_key ORDER BY opened_at
                     RANGE BETWEEN INTERVAL 1 SECOND FOLLOWING AND UNBOUNDED FOLLOWING)
)
SELECT
    f.contact_id, f.source, f.case_id, f.customer_key, f.channel, f.direction,
    f.opened_at, f.answered_at, f.first_response_at, f.closed_at,
    f.local_at, f.local_date,
    f.queue, f.team, f.agent,
    -- imports blank impossible values (connectors/staging.py); rows stored before that rule are
    -- guarded here too, so a negative duration or an end before the start never reaches a KPI
    CASE WHEN f.wait_seconds >= 0 THEN f.wait_seconds END AS wait_seconds,
    CASE WHEN f.talk_seconds >= 0 THEN f.talk_seconds END AS talk_seconds,
    CASE WHEN f.hold_seconds >= 0 THEN f.hold_seconds END AS hold_seconds,
    CASE WHEN f.wrap_seconds >= 0 THEN f.wrap_seconds END AS wrap_seconds,
    CASE WHEN f.handle_seconds >= 0 THEN f.handle_seconds END AS handle_seconds,
    coalesce(f.queued, false) AS queued,
    coalesce(f.abandoned, false) AS abandoned,
    f.transferred,
    f.agent_requested, f.attempt,
    f.is_self_service AS self_service,
    coalesce(f.reopened_count, 0) AS reopened_count,
    f.status, f.outcome, f.reason,
    f.inbound, f.known_customer, f.is_ticket, f.handled, f.answered, f.solved, f.reached_agent,
    CASE WHEN f.first_response_seconds >= 0 THEN f.first_response_seconds END
        AS first_response_seconds,
    CASE WHEN f.resolution_seconds >= 0 THEN f.resolution_seconds END AS resolution_seconds,
    coalesce(f.local_date <= rm.valid_to, false) AS mapped,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.label END AS reason_label,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.department ELSE 'Unmapped' END AS department,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.avoidable END AS avoidable,
    CASE WHEN f.local_date <= rm.valid_to THEN rm.quadrant END AS quadrant,
    coalesce(f.local_date <= rm.valid_to, false) AND rm.department = coalesce(
        (SELECT max(value) FROM settings WHERE key = 'service_department'), 'Customer Service')
        AS service_caused,
    g.prev_gap_seconds, g.next_gap_seconds, g.next_switch_gap_seconds, g.next_assisted_gap_seconds,
    coalesce(CASE WHEN f.handle_seconds >= 0 THEN f.handle_seconds END, 0) / 60.0
        * coalesce(ss.cost_per_minute, cc.cost_per_minute, 0)
        + coalesce(ss.cost_per_contact, cc.cost_per_contact, 0) AS cost,
    ss.channel IS NOT NULL OR cc.channel IS NOT NULL AS costed
FROM flagged f
LEFT JOIN gaps g ON g.contact_id = f.contact_id
ASOF LEFT JOIN reason_map rm
    ON rm.reason = f.reason AND f.local_date >= rm.valid_from
ASOF LEFT JOIN channel_costs cc
    ON cc.channel = f.channel AND f.local_date >= cc.valid_from
-- an IVR-only or bot session takes the self_service rate valid that day, else its channel's rate
ASOF LEFT JOIN channel_costs ss
    ON ss.channel = CASE WHEN f.is_self_service THEN 'self_service' END
   AND f.local_date >= ss.valid_from
ORDER BY local_at;  -- sorted by time: zone maps skip what a date range excludes
