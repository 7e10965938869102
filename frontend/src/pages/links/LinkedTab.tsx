// Linked pairs: search, sort, pages; Unlink one after a confirmation (the listing stays on
// TikTok but no longer receives our prices and stock).
import {
  Badge,
  BlockStack,
  Button,
  Card,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  type IndexFiltersProps,
  IndexTable,
  Modal,
  Text,
  useSetIndexFiltersMode,
} from '@shopify/polaris';
import {keepPreviousData, useMutation, useQuery} from '@tanstack/react-query';
import {useEffect, useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {rangePagination} from '../../components/pagination';
import {EMPTY_STATE_IMAGE, ErrorBanner, ListSkeleton, errorMessage} from '../../components/states';
import {useDebounced} from '../../hooks/useDebounced';
import {useToast} from '../../shell/feedback';
import {LINKS_KEY, PAGE_SIZE, useInvalidateLinks} from './shared';

type Link = components['schemas']['LinkOut'];
type Sort = 'newest' | 'oldest' | 'product';
const SORTS: IndexFiltersProps['sortOptions'] = [
  {label: 'Linked', value: 'newest desc', directionLabel: 'Newest first'},
  {label: 'Linked', value: 'oldest asc', directionLabel: 'Oldest first'},
  {label: 'Product title', value: 'product asc', directionLabel: 'A–Z'},
];

export function LinkedList({connectionId}: {connectionId: number}) {
  const {mode, setMode} = useSetIndexFiltersMode();
  const toast = useToast();
  const invalidate = useInvalidateLinks();
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<string[]>(['newest desc']);
  const [offset, setOffset] = useState(0);
  const [unlinking, setUnlinking] = useState<Link | null>(null);
  const q = useDebounced(search.trim());
  useEffect(() => setOffset(0), [q, sort]);
  const query = useQuery({
    queryKey: [LINKS_KEY, 'linked', connectionId, q, sort[0], offset],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/links/linked', {
      params: {path: {connection_id: connectionId}, query: {q: q || undefined, sort: sort[0].split(' ')[0] as Sort, limit: PAGE_SIZE, offset}},
    })),
    placeholderData: keepPreviousData,
  });
  const unlink = useMutation({
    mutationFn: (link: Link) => unwrap(api.DELETE('/api/connections/{connection_id}/links/{link_id}', {
      params: {path: {connection_id: connectionId, link_id: link.id}},
    })),
    onSuccess: () => {
      toast('Unlinked');
      setUnlinking(null);
      void invalidate();
    },
  });
  const rows = query.data?.links ?? [];
  const total = query.data?.total ?? 0;
  return (
    <BlockStack gap="400">
      {query.error ? <ErrorBanner error={query.error} onRetry={() => void query.refetch()} /> : null}
      <Card padding="0">
        <IndexFilters
          mode={mode}
          setMode={setMode}
          tabs={[]}
          selected={0}
          canCreateNewView={false}
          queryValue={search}
          queryPlaceholder="Search by product, SKU or TikTok ID"
          onQueryChange={setSearch}
          onQueryClear={() => setSearch('')}
          filters={[]}
          appliedFilters={[]}
          onClearAll={() => setSearch('')}
          hideFilters
          sortOptions={SORTS}
          sortSelected={sort}
          onSort={setSort}
          loading={query.isFetching}
        />
        <IndexTable
          resourceName={{singular: 'link', plural: 'links'}}
          itemCount={rows.length}
          selectable={false}
          loading={query.isFetching}
          headings={[{title: 'Shopify variant'}, {title: 'TikTok product'}, {title: 'TikTok SKU'}, {title: 'Origin'}, {title: 'Action'}]}
          emptyState={query.isPending ? <ListSkeleton /> : q ? <EmptySearchResult title="No links found" description="Try another search." withIllustration /> : (
            <EmptyState heading="Nothing linked yet" image={EMPTY_STATE_IMAGE}>
              <p>Confirm SKU proposals or link products by hand, so orders for those listings sync.</p>
            </EmptyState>
          )}
          pagination={rangePagination(offset, PAGE_SIZE, total, setOffset)}
        >
          {rows.map((l, i) => (
            <IndexTable.Row key={l.id} id={String(l.id)} position={i}>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span" fontWeight="semibold">{l.product_title ?? l.shopify_product_id}</Text>
                  <Text as="span" tone="subdued">
                    {[l.variant_title !== 'Default Title' && l.variant_title, l.sku && `SKU ${l.sku}`].filter(Boolean).join(' · ')}
                  </Text>
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>{l.tiktok_product_id}</IndexTable.Cell>
              <IndexTable.Cell>{l.tiktok_sku_id}</IndexTable.Cell>
              <IndexTable.Cell>
                <Badge tone={l.origin === 'created' ? 'info' : undefined}>{l.origin === 'created' ? 'Listed by app' : 'Linked'}</Badge>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Button tone="critical" variant="plain" onClick={() => setUnlinking(l)}
                  accessibilityLabel={`Unlink ${l.product_title ?? l.shopify_variant_id}`}>Unlink</Button>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
      <Modal
        open={unlinking !== null}
        onClose={() => setUnlinking(null)}
        title="Unlink this product?"
        primaryAction={{content: 'Unlink', destructive: true, loading: unlink.isPending, onAction: () => unlinking && unlink.mutate(unlinking)}}
        secondaryActions={[{content: 'Cancel', onAction: () => setUnlinking(null)}]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <Text as="p">
              {`${unlinking?.product_title ?? 'This variant'} will no longer update TikTok SKU ${unlinking?.tiktok_sku_id ?? ''}. `}
              The listing stays on TikTok Shop; new orders for it will need a link to sync.
            </Text>
            {unlink.error ? <Text as="p" tone="critical">{errorMessage(unlink.error)}</Text> : null}
          </BlockStack>
        </Modal.Section>
      </Modal>
    </BlockStack>
  );
}
