// SKU proposals (identical SKU on both sides): select many and Link products, or Dismiss.
// Also the barcode and title suggestions, reviewed row by row (Link / Dismiss; a title match
// between products with several variants goes to the manual link with both searches filled).
import {
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Text,
} from '@shopify/polaris';
import {keepPreviousData, useQuery} from '@tanstack/react-query';
import {useState} from 'react';

import {api, unwrap} from '../../api/client';
import {rangePagination} from '../../components/pagination';
import {EMPTY_STATE_IMAGE, ErrorBanner, ListSkeleton, errorMessage} from '../../components/states';
import {useRowSelection} from '../../hooks/useRowSelection';
import {dismissKey, LINKS_KEY, PAGE_SIZE, pairOf, type Proposal, useDismiss, useLink} from './shared';

type Kind = 'sku' | 'barcode' | 'title';

function useProposals(connectionId: number, kind: Kind, offset: number) {
  const [refresh, setRefresh] = useState(0);
  const query = useQuery({
    queryKey: [LINKS_KEY, 'proposals', connectionId, kind, offset, refresh],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/links/proposals/{kind}', {
        params: {path: {connection_id: connectionId, kind}, query: {limit: PAGE_SIZE, offset, refresh: refresh > 0}},
      })),
    placeholderData: keepPreviousData,
  });
  return {query, reload: () => setRefresh((n) => n + 1)};
}

function Side({title, detail}: {title: string | null | undefined; detail: string | null | undefined}) {
  return (
    <BlockStack gap="050">
      <Text as="span" fontWeight="semibold" breakWord>{title ?? '—'}</Text>
      {detail ? <Text as="span" tone="subdued">{detail}</Text> : null}
    </BlockStack>
  );
}

const shopifyDetail = (p: Proposal) =>
  [p.shopify_variant_title, p.shopify_sku && `SKU ${p.shopify_sku}`].filter(Boolean).join(' · ');
const tiktokDetail = (p: Proposal) => (p.tiktok_seller_sku ? `Seller SKU ${p.tiktok_seller_sku}` : '');

export function SkuProposals({connectionId}: {connectionId: number}) {
  const [offset, setOffset] = useState(0);
  const {query, reload} = useProposals(connectionId, 'sku', offset);
  const rows = query.data?.items ?? [];
  const {selectedResources, allResourcesSelected, handleSelectionChange, clearSelection, selectedItemsCount} = useRowSelection(rows, (r) => r.key);
  const link = useLink(connectionId, clearSelection);
  const dismiss = useDismiss(connectionId, clearSelection);
  const chosen = rows.filter((r) => allResourcesSelected || selectedResources.includes(r.key));
  const total = query.data?.total ?? 0;

  return (
    <BlockStack gap="400">
      {query.error ? <ErrorBanner error={query.error} onRetry={() => void query.refetch()} /> : null}
      {link.error ? <Banner tone="critical" title="These products could not be linked">{errorMessage(link.error)}</Banner> : null}
      {query.data?.ambiguous_skus.length ? (
        <Banner tone="info" title="Some SKUs are used more than once">
          <p>{`Not proposed, because linking them would be a guess: ${query.data.ambiguous_skus.join(', ')}. Link them by hand.`}</p>
        </Banner>
      ) : null}
      <Card padding="0">
        <BlockStack>
          <div style={{padding: 'var(--p-space-300) var(--p-space-400)'}}>
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <Text as="p" tone="subdued">
                {query.data ? `${query.data.listings_read} TikTok listings read` : 'Reading your TikTok listings…'}
              </Text>
              <Button onClick={reload} loading={query.isFetching}>Refresh from TikTok</Button>
            </InlineStack>
          </div>
          <IndexTable
            resourceName={{singular: 'proposal', plural: 'proposals'}}
            itemCount={rows.length}
            loading={query.isFetching}
            headings={[{title: 'Shopify variant'}, {title: 'TikTok listing'}, {title: 'Match'}]}
            selectedItemsCount={selectedItemsCount}
            onSelectionChange={handleSelectionChange}
            promotedBulkActions={[
              {content: 'Link products', onAction: () => link.mutate(chosen.flatMap((r) => pairOf(r) ?? []))},
              {content: 'Dismiss', onAction: () => dismiss.mutate(chosen.map(dismissKey))},
            ]}
            emptyState={
              query.isPending ? (
                <ListSkeleton />
              ) : (
                <EmptyState heading="No SKU matches to confirm" image={EMPTY_STATE_IMAGE}>
                  <p>When a TikTok listing has the same SKU as a Shopify variant, the pair shows up here.</p>
                </EmptyState>
              )
            }
            pagination={rangePagination(offset, PAGE_SIZE, total, setOffset)}
          >
            {rows.map((r, i) => (
              <IndexTable.Row key={r.key} id={r.key} position={i}
                selected={allResourcesSelected || selectedResources.includes(r.key)}>
                <IndexTable.Cell><Side title={r.shopify_product_title} detail={shopifyDetail(r)} /></IndexTable.Cell>
                <IndexTable.Cell><Side title={r.tiktok_title} detail={tiktokDetail(r)} /></IndexTable.Cell>
                <IndexTable.Cell>{r.reason}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </BlockStack>
      </Card>
    </BlockStack>
  );
}

export function Suggestions({connectionId, onManual}: {connectionId: number; onManual: (shopify: string, tiktok: string) => void}) {
  const [kind, setKind] = useState<'barcode' | 'title'>('barcode');
  const [offset, setOffset] = useState(0);
  const {query} = useProposals(connectionId, kind, offset);
  const link = useLink(connectionId);
  const dismiss = useDismiss(connectionId);
  const rows = query.data?.items ?? [];
  const busy = link.isPending || dismiss.isPending;
  const pick = (k: 'barcode' | 'title') => {
    setKind(k);
    setOffset(0);
  };
  return (
    <BlockStack gap="400">
      <ButtonGroup variant="segmented">
        <Button pressed={kind === 'barcode'} onClick={() => pick('barcode')}>By barcode</Button>
        <Button pressed={kind === 'title'} onClick={() => pick('title')}>By title</Button>
      </ButtonGroup>
      {query.error ? <ErrorBanner error={query.error} onRetry={() => void query.refetch()} /> : null}
      {link.error ? <Banner tone="critical" title="This pair could not be linked">{errorMessage(link.error)}</Banner> : null}
      <Card padding="0">
        <IndexTable
          resourceName={{singular: 'suggestion', plural: 'suggestions'}}
          itemCount={rows.length}
          selectable={false}
          loading={query.isFetching}
          headings={[{title: 'Shopify'}, {title: 'TikTok listing'}, {title: 'Similarity'}, {title: 'Review'}]}
          emptyState={
            query.isPending ? (
              <ListSkeleton />
            ) : (
              <EmptyState heading={`No ${kind} suggestions`} image={EMPTY_STATE_IMAGE}>
                <p>{kind === 'barcode' ? 'Pairs whose barcodes match appear here.' : 'Products whose titles look alike appear here.'}</p>
              </EmptyState>
            )
          }
          pagination={rangePagination(offset, PAGE_SIZE, query.data?.total ?? 0, setOffset)}
        >
          {rows.map((r, i) => {
            const pair = pairOf(r);
            return (
              <IndexTable.Row key={r.key} id={r.key} position={i}>
                <IndexTable.Cell><Side title={r.shopify_product_title} detail={shopifyDetail(r)} /></IndexTable.Cell>
                <IndexTable.Cell><Side title={r.tiktok_title} detail={tiktokDetail(r)} /></IndexTable.Cell>
                <IndexTable.Cell>{`${Math.round(r.score * 100)}%`}</IndexTable.Cell>
                <IndexTable.Cell>
                  <ButtonGroup>
                    {pair ? (
                      <Button variant="primary" disabled={busy} onClick={() => link.mutate([pair])}
                        accessibilityLabel={`Link ${r.shopify_product_title ?? ''} to ${r.tiktok_title ?? ''}`}>Link</Button>
                    ) : (
                      <Button disabled={busy} onClick={() => onManual(r.shopify_product_title ?? '', r.tiktok_title ?? '')}>
                        Choose variants
                      </Button>
                    )}
                    <Button disabled={busy} onClick={() => dismiss.mutate([dismissKey(r)])}
                      accessibilityLabel={`Dismiss ${r.shopify_product_title ?? ''} and ${r.tiktok_title ?? ''}`}>Dismiss</Button>
                  </ButtonGroup>
                </IndexTable.Cell>
              </IndexTable.Row>
            );
          })}
        </IndexTable>
      </Card>
    </BlockStack>
  );
}
