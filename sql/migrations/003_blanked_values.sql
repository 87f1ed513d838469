-- Schema version 3: impossible values are blanked at import, and every blanked value is kept here
-- (connectors/staging.py, IMPOSSIBLE): a negative duration, an end before its start, a survey score
-- off its scale. The contact or response itself is loaded; only the field is NULL in the warehouse.
CREATE TABLE IF NOT EXISTS blanked_values (
    import_id   BIGINT NOT NULL,
    file_name   TEXT NOT NULL,
    line        BIGINT,           -- the record's line in the file (as in rejects)
    kind        TEXT NOT NULL,    -- contacts | surveys
    record_id   TEXT,             -- the source record id (contact or survey response)
    field       TEXT NOT NULL,    -- the canonical column that was blanked
    reason      TEXT NOT NULL,
    raw         TEXT              -- the value as read (converted to the canonical type), before blanking
);
-- How many values each import blanked (NULL for imports made before this version).
ALTER TABLE import_log ADD COLUMN values_blanked BIGINT;
