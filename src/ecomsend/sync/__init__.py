"""Sync use-cases: pure mapping plus the I/O around it, and the sync-state engine."""
