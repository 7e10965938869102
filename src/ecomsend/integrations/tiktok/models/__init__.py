"""Pydantic models of TikTok payloads, one module per domain (pure parsing)."""
