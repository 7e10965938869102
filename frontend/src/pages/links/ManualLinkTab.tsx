// Manual link: search Shopify variants on one side and TikTok listings on the other, pick one
// of each, Link. Both searches can be prefilled (from an order's "Link this item", or a title
// suggestion). Lists are paged on the server; already linked rows cannot be picked.
import {
  Banner,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  InlineStack,
  Layout,
  Pagination,
  Spinner,
  Text,
  TextField,
} from '@shopify/polaris';
import {keepPreviousData, useQuery} from '@tanstack/react-query';
import {useEffect, useState} from 'react';

import {ApiError, api, unwrap} from '../../api/client';
import {ErrorBanner, errorMessage} from '../../components/states';
import {useDebounced} from '../../hooks/useDebounced';
import {LINKS_KEY, type Pair, useLink} from './shared';

const SIZE = 10;

function Pages({offset, total, setOffset, label}: {offset: number; total: number; setOffset: (n: number) => void; label: string}) {
  if (total <= SIZE) return null;
  return (
    <Pagination
      hasPrevious={offset > 0}
      hasNext={offset + SIZE < total}
      onPrevious={() => setOffset(Math.max(0, offset - SIZE))}
      onNext={() => setOffset(offset + SIZE)}
      label={`${label}: ${offset + 1}–${Math.min(offset + SIZE, total)} of ${total}`}
    />
  );
}

function ShopifySide({connectionId, search, setSearch, value, onPick}: {
  connectionId: number; search: string; setSearch: (s: string) => void; value: string; onPick: (id: string) => void;
}) {
  const [offset, setOffset] = useState(0);
  const q = useDebounced(search.trim());
  useEffect(() => setOffset(0), [q]);
  const query = useQuery({
    queryKey: [LINKS_KEY, 'variants', connectionId, q, offset],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/links/variants', {
      params: {path: {connection_id: connectionId}, query: {q: q || undefined, limit: SIZE, offset, unlinked_only: true}},
    })),
    placeholderData: keepPreviousData,
  });
  const variants = query.data?.variants ?? [];
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Shopify variant</Text>
        <TextField label="Search Shopify variants" value={search} onChange={setSearch} autoComplete="off"
          placeholder="Title, SKU or barcode" clearButton onClearButtonClick={() => setSearch('')} />
        {query.error ? <ErrorBanner error={query.error} onRetry={() => void query.refetch()} /> : null}
        {query.isLoading ? <Spinner accessibilityLabel="Loading Shopify variants" size="small" /> : null}
        {query.data && !variants.length ? <Text as="p" tone="subdued">No unlinked variant matches this search.</Text> : null}
        {variants.length ? (
          <ChoiceList
            title="Pick a Shopify variant"
            titleHidden
            choices={variants.map((v) => ({
              value: v.variant_id,
              label: `${v.product_title}${v.variant_title && v.variant_title !== 'Default Title' ? ` — ${v.variant_title}` : ''}`,
              helpText: [v.sku && `SKU ${v.sku}`, v.barcode && `Barcode ${v.barcode}`].filter(Boolean).join(' · ') || undefined,
            }))}
            selected={value ? [value] : []}
            onChange={([id]) => onPick(id)}
          />
        ) : null}
        <Pages offset={offset} total={query.data?.total ?? 0} setOffset={setOffset} label="Variants" />
      </BlockStack>
    </Card>
  );
}

function TikTokSide({connectionId, search, setSearch, value, onPick}: {
  connectionId: number; search: string; setSearch: (s: string) => void; value: string; onPick: (key: string) => void;
}) {
  const [offset, setOffset] = useState(0);
  const q = useDebounced(search.trim());
  useEffect(() => setOffset(0), [q]);
  const query = useQuery({
    queryKey: [LINKS_KEY, 'listings', connectionId, q, offset],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/links/listings/search', {
      params: {path: {connection_id: connectionId}, query: {q: q || undefined, limit: SIZE, offset}},
    })),
    placeholderData: keepPreviousData,
  });
  const choices = (query.data?.listings ?? []).flatMap((l) =>
    l.skus.map((s) => ({
      value: `${l.product_id}|${s.sku_id}`,
      label: `${l.title || l.product_id}${s.seller_sku ? ` — ${s.seller_sku}` : ''}`,
      helpText: s.linked_variant_id ? `Already linked (TikTok SKU ${s.sku_id})` : `TikTok SKU ${s.sku_id}`,
      disabled: Boolean(s.linked_variant_id),
    })),
  );
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">TikTok listing</Text>
        <TextField label="Search TikTok listings" value={search} onChange={setSearch} autoComplete="off"
          placeholder="Title, seller SKU or ID" clearButton onClearButtonClick={() => setSearch('')} />
        {query.error ? <ErrorBanner error={query.error} onRetry={() => void query.refetch()} /> : null}
        {query.isLoading ? <Spinner accessibilityLabel="Loading TikTok listings" size="small" /> : null}
        {query.data && !choices.length ? <Text as="p" tone="subdued">No TikTok listing matches this search.</Text> : null}
        {choices.length ? (
          <ChoiceList title="Pick a TikTok SKU" titleHidden choices={choices} selected={value ? [value] : []}
            onChange={([key]) => onPick(key)} />
        ) : null}
        <Pages offset={offset} total={query.data?.total ?? 0} setOffset={setOffset} label="Listings" />
      </BlockStack>
    </Card>
  );
}

interface Props {
  connectionId: number;
  shopifySearch: string;
  tiktokSearch: string;
  setShopifySearch: (s: string) => void;
  setTiktokSearch: (s: string) => void;
}

export function ManualLink({connectionId, shopifySearch, tiktokSearch, setShopifySearch, setTiktokSearch}: Props) {
  const [variant, setVariant] = useState('');
  const [sku, setSku] = useState('');
  const link = useLink(connectionId, () => {
    setVariant('');
    setSku('');
  });
  const [productId, skuId] = sku.split('|');
  const pair: Pair | null = variant && sku ? {shopify_variant_id: variant, tiktok_product_id: productId, tiktok_sku_id: skuId} : null;
  const err = link.error instanceof ApiError ? link.error : undefined;
  return (
    <BlockStack gap="400">
      {link.error ? (
        <Banner tone="critical" title="These could not be linked">
          <p>{err?.fieldError('pairs.0.tiktok_sku_id') ?? errorMessage(link.error)}</p>
        </Banner>
      ) : null}
      <Layout>
        <Layout.Section variant="oneHalf">
          <ShopifySide connectionId={connectionId} search={shopifySearch} setSearch={setShopifySearch} value={variant} onPick={setVariant} />
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <TikTokSide connectionId={connectionId} search={tiktokSearch} setSearch={setTiktokSearch} value={sku} onPick={setSku} />
        </Layout.Section>
      </Layout>
      <InlineStack align="end">
        <Button variant="primary" disabled={!pair} loading={link.isPending} onClick={() => pair && link.mutate([pair])}>
          Link
        </Button>
      </InlineStack>
    </BlockStack>
  );
}
