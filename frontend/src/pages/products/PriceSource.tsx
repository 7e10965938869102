// Where the connection's TikTok prices come from (`GET …/pricing/source`): the merchant's
// Shopify Markets price list for the region, the store's own prices (same currency), or the
// typed exchange rate (the fallback). Shown on the Products page; the product detail labels
// each variant's price with `priceSourceLabel`.
import {Banner, Badge, InlineStack, Text} from '@shopify/polaris';
import {queryOptions} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import {takeEarlyPageResponse} from '../../api/early';
import type {components} from '../../api/schema';

type Source = 'store_currency' | 'shopify_markets' | 'exchange_rate';

const LABELS: Record<Source, string> = {
  shopify_markets: 'Shopify Markets',
  store_currency: 'Shopify price',
  exchange_rate: 'Exchange rate',
};

/** A short label for a price source (the product detail's per-variant column). */
export function priceSourceLabel(source: Source): string {
  return LABELS[source];
}

type PriceSource = components['schemas']['PriceSourceOut'];

/** The connection's price source query (the Products page asks it beside the list). */
export function priceSourceQuery(connectionId: number) {
  return queryOptions({
    queryKey: ['pricing-source', connectionId],
    queryFn: async () =>
      (await takeEarlyPageResponse<PriceSource>('pricing-source', connectionId)) ??
      unwrap(api.GET('/api/connections/{connection_id}/pricing/source', {params: {path: {connection_id: connectionId}}})),
    staleTime: 60_000,
  });
}

/** One line above the product list: the price source with its explanation. A conversion
 * without a rate is a warning (prices cannot be made); nothing shows when the source could
 * not be read (the list itself reports errors). */
export function PriceSourceNote({data}: {data: PriceSource | undefined}) {
  if (!data) return null;
  if (data.source === 'exchange_rate' && data.exchange_rate === null) {
    return (
      <Banner tone="warning" title={`Prices in ${data.currency} cannot be made yet`}>
        <p>{data.message}</p>
      </Banner>
    );
  }
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="span" tone="subdued">
        Price source
      </Text>
      <Badge tone={data.source === 'shopify_markets' ? 'info' : undefined}>{priceSourceLabel(data.source)}</Badge>
      <Text as="span" tone="subdued">
        {data.message}
      </Text>
    </InlineStack>
  );
}
