"""Shared widgets and pure chart builders for the pages (no SQL, no duckdb)."""
