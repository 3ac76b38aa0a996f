"""Sentence-embedding models for retrieval, built locally from bundled packages (no model hub)."""
