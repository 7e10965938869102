"""Product push pipeline (issue 6): Shopify catalog changes → TikTok Shop listings.

- `mirror`, `webhooks`: Shopify product/inventory webhooks update the mirror (newer only) and
  bump `sync_state` for every connection that lists or would list the product (`targets`);
  TikTok audit webhooks (types 5/37) record review results.
- `push_product`, `push_stock`, `audit`: the `sync_entity` handlers by (kind, direction).
- `images`, `reference`: image re-upload with a cache; per-process TTL caches of TikTok
  reference data (category attributes/rules, warehouses, categories).
- `pause`: the new-shop upload limit pauses and resumes auto sync per connection.
- `commands`: use-cases for the JSON API (manual sync, retry, templates, readiness, category).
- `reconcile`: periodic drift detection; `wiring`: what `sync.handlers` and `jobs.tasks` add.
"""
