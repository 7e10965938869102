"""The FastAPI app: OAuth routes, webhooks, the JSON API and the admin UI."""
