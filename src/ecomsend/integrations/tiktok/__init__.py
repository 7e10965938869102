"""integrations/tiktok."""
