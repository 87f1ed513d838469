-- Schema version 5: rollups (issue 13). Each row defines one rollup table of a model: the model's
-- additive KPI parts summed per business day x the dimensions the pages filter and split by.
-- The SQL is generated from the KPI files by the metrics layer (metrics/rollups.py) and run here by
-- sql/warehouse.py after every model refresh: in full (full_sql), or for the days an import
-- touched (days_sql reads the temp table _rollup_days). fingerprints (JSON: KPI id -> hash of its
-- SQL and parameter defaults) say which KPI definitions the table holds; a KPI edited since is
-- answered from the model until the rollup is rebuilt.
CREATE TABLE IF NOT EXISTS rollup_defs (
    model        TEXT PRIMARY KEY,
    table_name   TEXT NOT NULL,
    full_sql     TEXT NOT NULL,
    days_sql     TEXT NOT NULL,
    fingerprints TEXT NOT NULL,
    built_at     TIMESTAMP
);
