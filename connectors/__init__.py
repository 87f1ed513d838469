"""Connectors: one module per export format, and the shared loader that puts their rows into DuckDB."""
