"""Returns, refunds and cancellation requests (issue 13 §2): the TikTok → app mirror
(`fetch`, `mirror`), refunds into Shopify (`to_shopify`), Shopify-side refunds shown with
guidance (`from_shopify`) and the merchant's approve/reject (`actions`)."""
