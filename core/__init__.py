"""Shared web UI and API pieces, and the metrics every app reports to."""
