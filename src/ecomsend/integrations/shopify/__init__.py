"""integrations/shopify."""
