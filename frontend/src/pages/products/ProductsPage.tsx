// Products: every Shopify product with its TikTok sync status. Filtered, sorted and paginated on
// the server (`GET …/products`); saved views by status; bulk Sync (→ manual sync form), Retry,
// Exclude and Include. A row opens the product's detail page.
import {
  Banner,
  BlockStack,
  Button,
  Card,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  Link,
  Page,
  Text,
  Thumbnail,
  useBreakpoints,
  useSetIndexFiltersMode,
} from '@shopify/polaris';
import type {IndexFiltersProps} from '@shopify/polaris';
import {ImageIcon} from '@shopify/polaris-icons';
import {keepPreviousData, useQuery} from '@tanstack/react-query';
import {useCallback, useMemo, useState} from 'react';
import {useNavigate} from 'react-router-dom';

import {api, unwrap} from '../../api/client';
import {pagePagination} from '../../components/pagination';
import {EMPTY_STATE_IMAGE, ErrorBanner, PageSkeleton, WithConnection, errorMessage} from '../../components/states';
import {useRowSelection} from '../../hooks/useRowSelection';
import {useUrlSearchText} from '../../hooks/useUrlSearchText';
import {type Connection, ConnectionSelect} from '../../shell/connection';
import {useAdminLoading, useToast} from '../../shell/feedback';
import {PriceSourceNote} from './PriceSource';
import {productFilters} from './productFilters';
import {PAGE_SIZE, type SortKey, useListState, VIEWS} from './productListState';
import {
  actionMessage,
  formatDate,
  type ProductAction,
  ProductBadges,
  syncUrl,
  useProductAction,
} from './productUi';

const SORT_OPTIONS: IndexFiltersProps['sortOptions'] = [
  {label: 'Title', value: 'title asc', directionLabel: 'A–Z'},
  {label: 'Title', value: 'title desc', directionLabel: 'Z–A'},
  {label: 'Last synced', value: 'last_synced desc', directionLabel: 'Newest first'},
  {label: 'Last synced', value: 'last_synced asc', directionLabel: 'Oldest first'},
  {label: 'Status', value: 'status desc', directionLabel: 'Problems first'},
  {label: 'Status', value: 'status asc', directionLabel: 'Not synced first'},
  {label: 'Updated in Shopify', value: 'updated desc', directionLabel: 'Newest first'},
  {label: 'Updated in Shopify', value: 'updated asc', directionLabel: 'Oldest first'},
];

function toSortOption(sort: SortKey): string {
  return sort.startsWith('-') ? `${sort.slice(1)} desc` : `${sort} asc`;
}

function fromSortOption(option: string): SortKey {
  const [key, direction] = option.split(' ');
  return (direction === 'desc' ? `-${key}` : key) as SortKey;
}

export default function ProductsPage() {
  return <WithConnection title="Products">{(connection) => <ProductList connection={connection} />}</WithConnection>;
}

function ProductList({connection}: {connection: Connection}) {
  const navigate = useNavigate();
  const toast = useToast();
  const state = useListState();
  const {params} = state;
  const {smDown} = useBreakpoints();
  // A list opened with a search or filters in its URL shows them at once.
  const {mode, setMode} = useSetIndexFiltersMode(
    state.filtered ? IndexFiltersMode.Filtering : IndexFiltersMode.Default,
  );
  const {set} = state;
  const [text, setText] = useUrlSearchText(params.q ?? undefined, useCallback((q: string | undefined) => set({q}), [set]));
  const [actionError, setActionError] = useState<unknown>(null);
  const path = {connection_id: connection.id};

  const list = useQuery({
    queryKey: ['products', connection.id, 'list', params],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/products', {params: {path, query: params}})),
    placeholderData: keepPreviousData,
  });
  const menus = useQuery({
    queryKey: ['products', connection.id, 'filters'],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/products/filters', {params: {path}})),
  });
  useAdminLoading(list.isFetching);

  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const {selectedResources, handleSelectionChange, clearSelection, selectedItemsCount} = useRowSelection(items, (p) => String(p.id), params);

  const action = useProductAction(connection.id);
  const run = useCallback(
    (kind: ProductAction) => {
      setActionError(null);
      action.mutate(
        {action: kind, ids: selectedResources.map(Number)},
        {
          onSuccess: (result) => {
            toast(actionMessage(result));
            clearSelection();
          },
          onError: (error) => setActionError(error),
        },
      );
    },
    [action, selectedResources, toast, clearSelection],
  );

  const {filters, applied} = productFilters(menus.data, state);
  const tabs = VIEWS.map((view, index) => {
    const count = view.status ? menus.data?.statuses[view.status] : view.excluded ? menus.data?.excluded : undefined;
    return {id: view.id, content: view.label, index, badge: count === undefined ? undefined : String(count), isLocked: true};
  });
  const selectedTab = Math.max(0, VIEWS.findIndex((v) => v.id === state.view));

  if (list.isPending) return <PageSkeleton title="Products" fullWidth />;

  const total = list.data?.total ?? 0;
  const page = params.page ?? 1;
  const emptyShop = !list.isError && total === 0 && !state.filtered && state.view === 'all';
  const paused = list.data?.listing_paused;

  const rows = items.map((p, index) => (
    <IndexTable.Row id={String(p.id)} key={p.id} position={index} selected={selectedResources.includes(String(p.id))}>
      <IndexTable.Cell>
        <Thumbnail source={p.image_url ?? ImageIcon} alt="" size="small" />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Link dataPrimaryLink monochrome removeUnderline url={`/products/${p.id}`}>
          <Text as="span" variant="bodyMd" fontWeight="semibold" truncate>
            {p.title}
          </Text>
        </Link>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" numeric>
          {p.variants}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <ProductBadges status={p.status} excluded={p.excluded} />
      </IndexTable.Cell>
      <IndexTable.Cell>{p.template_name ?? '—'}</IndexTable.Cell>
      <IndexTable.Cell>{p.tiktok_product_id ?? '—'}</IndexTable.Cell>
      <IndexTable.Cell>{formatDate(p.status.last_synced_at)}</IndexTable.Cell>
      <IndexTable.Cell>
        {/* Its own action: the click must not also open the row. */}
        <div onClick={(event) => event.stopPropagation()}>
          <Button size="slim" onClick={() => navigate(syncUrl([p.id]))} accessibilityLabel={`Sync ${p.title}`}>
            Sync
          </Button>
        </div>
      </IndexTable.Cell>
    </IndexTable.Row>
  ));

  const selectedIds = selectedResources.map(Number);
  return (
    <Page title="Products" fullWidth primaryAction={<ConnectionSelect />}>
      <BlockStack gap="400">
        {list.isError ? <ErrorBanner error={list.error} onRetry={() => void list.refetch()} title="Products could not be loaded" /> : null}
        {actionError ? (
          <Banner tone="critical" title="The action did not go through" onDismiss={() => setActionError(null)}>
            <p>{errorMessage(actionError)}</p>
          </Banner>
        ) : null}
        <PriceSourceNote connectionId={connection.id} />
        {paused ? (
          <Banner tone="warning" title="Automatic listing is paused">
            <p>
              TikTok limits how many products a new shop may upload. Listing resumes by itself on {formatDate(paused.until)}
              {paused.reason ? ` (${paused.reason})` : ''}.
            </p>
          </Banner>
        ) : null}
        {emptyShop ? (
          <Card>
            <EmptyState heading="No products yet" image={EMPTY_STATE_IMAGE} action={{content: 'Reload', onAction: () => void list.refetch()}}>
              <p>Your Shopify products appear here once the catalog import has finished. It starts when the app is installed.</p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <IndexFilters
              tabs={tabs}
              selected={selectedTab}
              onSelect={(index) => state.setView(VIEWS[index].id)}
              queryValue={text}
              queryPlaceholder="Search by title or SKU"
              onQueryChange={setText}
              onQueryClear={() => {
                setText('');
                state.set({q: undefined});
              }}
              filters={filters}
              appliedFilters={applied}
              onClearAll={() => {
                setText('');
                state.clearAll();
              }}
              sortOptions={SORT_OPTIONS}
              sortSelected={[toSortOption(params.sort ?? 'title')]}
              onSort={(selected) => state.set({sort: fromSortOption(selected[0])})}
              mode={mode}
              setMode={setMode}
              cancelAction={{
                onAction: () => {
                  setText('');
                  state.set({q: undefined});
                },
              }}
              canCreateNewView={false}
              loading={list.isFetching}
            />
            <IndexTable
              resourceName={{singular: 'product', plural: 'products'}}
              itemCount={items.length}
              selectedItemsCount={selectedItemsCount}
              onSelectionChange={handleSelectionChange}
              condensed={smDown}
              loading={list.isFetching && !list.isPending}
              emptyState={<EmptySearchResult title="No products found" description="Try changing the filters or the search term." withIllustration />}
              headings={[
                {title: 'Image', hidden: true},
                {title: 'Title'},
                {title: 'Variants', alignment: 'end'},
                {title: 'Status'},
                {title: 'Template'},
                {title: 'TikTok product ID'},
                {title: 'Last synced'},
                {title: 'Actions', hidden: true},
              ]}
              promotedBulkActions={[
                {content: 'Sync products', onAction: () => navigate(syncUrl(selectedIds))},
                {content: 'Retry', onAction: () => run('retry'), disabled: action.isPending},
              ]}
              bulkActions={[
                {content: 'Exclude from sync', onAction: () => run('exclude'), disabled: action.isPending},
                {content: 'Include in sync', onAction: () => run('include'), disabled: action.isPending},
              ]}
              pagination={pagePagination(page, PAGE_SIZE, total, (next) => state.set({page: String(next)}), '0 products')}
            >
              {rows}
            </IndexTable>
          </Card>
        )}
      </BlockStack>
    </Page>
  );
}
