-- Schema version 1: the canonical warehouse of DESIGN.md.
-- No primary-key indexes: the loader keeps one row per source record itself (delete + insert of the
-- newer version inside the file's transaction), which keeps bulk loads fast; sql/audits/ checks it.
CREATE TABLE IF NOT EXISTS import_log (
    import_id      BIGINT NOT NULL,
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    format         TEXT,
    kind           TEXT,
    rows_read      BIGINT,
    rows_loaded    BIGINT,
    rows_rejected  BIGINT,
    status         TEXT NOT NULL,      -- loaded | skipped | failed
    message        TEXT,
    started_at     TIMESTAMP,
    finished_at    TIMESTAMP,
    seconds        DOUBLE
);

CREATE TABLE IF NOT EXISTS rejects (
    import_id  BIGINT NOT NULL,
    file_name  TEXT NOT NULL,
    line       BIGINT,
    reason     TEXT NOT NULL,
    raw        TEXT
);

CREATE TABLE IF NOT EXISTS contacts (
    contact_id         TEXT NOT NULL,   -- source || ':' || source_record_id
    source             TEXT NOT NULL,   -- the system: zendesk, salesforce, amazon_connect, asterisk ...
    source_record_id   TEXT NOT NULL,
    case_id            TEXT,            -- ticket / case number (for surveys and reopen links)
    customer_key       TEXT,            -- customers.customer_key, NULL = unknown customer
    channel            TEXT NOT NULL,   -- phone | email | web | chat | social | messaging | self_service | other
    direction          TEXT NOT NULL,   -- inbound | outbound
    opened_at          TIMESTAMP NOT NULL,  -- all timestamps are UTC
    answered_at        TIMESTAMP,
    first_response_at  TIMESTAMP,
    closed_at          TIMESTAMP,       -- (last) solved / call end
    queue              TEXT,
    team               TEXT,
    agent              TEXT,
    wait_seconds       DOUBLE,
    talk_seconds       DOUBLE,
    hold_seconds       DOUBLE,
    wrap_seconds       DOUBLE,
    handle_seconds     DOUBLE,          -- NULL = the source records no handle time
    queued             BOOLEAN,
    abandoned          BOOLEAN,
    transferred        BOOLEAN,
    self_service       BOOLEAN,         -- IVR-only or bot session
    reopened_count     INTEGER,
    status             TEXT,            -- new | open | pending | hold | solved | closed (tickets)
    outcome            TEXT,            -- answered | abandoned | no_answer | busy | failed | ivr | bot | handled | unhandled
    reason             TEXT,            -- contact reason code, joined to reason_map
    version_at         TIMESTAMP,       -- the source's last update: the newest version wins
    import_id          BIGINT
);

CREATE TABLE IF NOT EXISTS survey_responses (
    response_id       TEXT NOT NULL,    -- source || ':' || source_record_id
    source            TEXT NOT NULL,
    source_record_id  TEXT NOT NULL,
    contact_id        TEXT,             -- linked contact (resolved through case_id when possible)
    case_id           TEXT,
    customer_key      TEXT,
    channel           TEXT,
    responded_at      TIMESTAMP NOT NULL,
    csat              DOUBLE,           -- raw score on csat_scale
    csat_scale        INTEGER,          -- 2 = good/bad (1 good, 0 bad); 5 = 1..5; 10 = 0..10
    nps               INTEGER,          -- 0..10
    ces               INTEGER,          -- 1..7 agree scale
    resolved          BOOLEAN,
    comment           TEXT,
    version_at        TIMESTAMP,
    import_id         BIGINT
);

-- Identity map: every normalised identity points at one customer key.
CREATE TABLE IF NOT EXISTS customers (
    identity       TEXT NOT NULL,       -- 'email:a@b.com', 'phone:+4930123456', 'account:123'
    identity_type  TEXT NOT NULL,
    customer_key   TEXT NOT NULL,
    first_import   BIGINT
);

CREATE TABLE IF NOT EXISTS reason_map (
    reason      TEXT NOT NULL,
    label       TEXT,
    department  TEXT NOT NULL,
    avoidable   BOOLEAN NOT NULL,
    quadrant    TEXT,                   -- value/irritant matrix: eliminate | simplify | automate | leverage
    valid_from  DATE NOT NULL DEFAULT DATE '1900-01-01',
    valid_to    DATE NOT NULL DEFAULT DATE '9999-12-31'
);

CREATE TABLE IF NOT EXISTS channel_costs (
    channel           TEXT NOT NULL,
    cost_per_minute   DOUBLE NOT NULL DEFAULT 0,
    cost_per_contact  DOUBLE NOT NULL DEFAULT 0,
    valid_from        DATE NOT NULL DEFAULT DATE '1900-01-01',
    currency          TEXT DEFAULT 'EUR'
);

CREATE TABLE IF NOT EXISTS demand (
    period      DATE NOT NULL,          -- first day of the month
    department  TEXT NOT NULL DEFAULT '*',
    driver      TEXT NOT NULL,          -- orders | shipments | invoices | active_customers
    value       DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS targets (
    kpi         TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '*',
    department  TEXT NOT NULL DEFAULT '*',
    valid_from  DATE NOT NULL DEFAULT DATE '1900-01-01',
    valid_to    DATE NOT NULL DEFAULT DATE '9999-12-31',
    target      DOUBLE,
    red_flag    DOUBLE,
    weight      DOUBLE DEFAULT 1
);

CREATE TABLE IF NOT EXISTS settings (
    key    TEXT NOT NULL,
    value  TEXT
);

CREATE TABLE IF NOT EXISTS audit_findings (
    import_id   BIGINT,
    audit       TEXT NOT NULL,
    rows_found  BIGINT NOT NULL,
    sample      TEXT,
    checked_at  TIMESTAMP NOT NULL
);

INSERT INTO settings
SELECT * FROM (VALUES
    ('business_timezone', 'Europe/Berlin'),
    ('import_timezone', 'UTC'),
    ('default_phone_region', 'DE'),
    ('opening_hours', '{"phone": "08:00-20:00", "chat": "08:00-22:00"}'),
    ('perspective_weights', '{"experience": 1, "operational": 1, "avoidable": 1, "cost": 1}')
) AS t(key, value)
WHERE NOT EXISTS (SELECT 1 FROM settings);
