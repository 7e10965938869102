"""EcomSend Feed: keeps a Shopify store and a TikTok Shop in step."""

__version__ = "0.1.0"
