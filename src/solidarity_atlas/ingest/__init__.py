"""Ingest: find inputs, read and decode them, and split them into located blocks."""
