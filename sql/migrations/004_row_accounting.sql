-- Schema version 4: every row of a file accounted for (connectors/loader.py, README "Importing").
--   rows_read = rows_loaded + rows_rejected + rows_merged + rows_skipped, all counted in rows of the file;
--   rows_written  canonical rows the file gave (a ticket with a rating: a contact and a survey response);
--   warnings      what KPIs will miss because of the file ("no handle time: AHT leaves ... out");
--   notes         what the reader decided or had to assume (a column's date order ...).
-- Imports made before this version counted canonical rows in rows_loaded: that figure moves to
-- rows_written, and what they did not record (file rows loaded, merged, skipped) is NULL.
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS rows_merged BIGINT;
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS rows_skipped BIGINT;
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS rows_written BIGINT;
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS warnings VARCHAR[];
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS notes VARCHAR[];
UPDATE import_log SET rows_written = rows_loaded, rows_loaded = NULL WHERE status = 'loaded' AND rows_written IS NULL;
-- Rows deliberately not loaded, with their reason (a survey preview or test response, a supervisor's
-- monitoring record): not errors, so not in rejects.
CREATE TABLE IF NOT EXISTS skipped_rows (
    import_id  BIGINT NOT NULL,
    file_name  TEXT NOT NULL,
    line       BIGINT,
    reason     TEXT NOT NULL,
    raw        TEXT
);
