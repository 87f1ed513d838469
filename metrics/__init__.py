"""The metrics layer: KPI catalog, sqlglot compiler, runner and scorecard scoring."""
