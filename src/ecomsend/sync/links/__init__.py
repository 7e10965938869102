"""Link products (issue 6): existing TikTok listings ↔ Shopify variants.

- `matching`: pure proposals (identical SKU) and suggestions (barcode, title similarity);
- `service`: the I/O use-cases (read listings and the mirror, insert/delete links race-safely);
- `overrides`: per-product manual-sync overrides (category, attributes, brand, package) stored in
  `settings.product["overrides"]` and applied on top of the template by the push pipeline.
"""
