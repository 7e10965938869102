// Products: every Shopify product with its TikTok sync status. Filtered, sorted and paginated on
// the server (`GET …/products`); saved views by status; bulk Sync (→ manual sync form), Retry,
// Exclude and Include (ProductTable). A row opens the product's detail page.
//
// Speed with a large catalog (bench/ui_products_page.py): the page is in the app's first chunk;
// opened here, its list and price source are asked by index.html before the app's code has
// arrived (api/early.ts), the filter menus by `prefetch` while React mounts; the list and the
// price-source line paint together (the line arriving later pushed the table down: CLS 0.09);
// the filter bar and the table are memoized apart, so opening a filter does not re-render the
// rows and selecting rows does not re-render the filter bar (ProductTable for the rows).
import {
  Banner,
  BlockStack,
  Card,
  EmptyState,
  IndexFilters,
  IndexFiltersMode,
  Page,
  useSetIndexFiltersMode,
} from '@shopify/polaris';
import type {IndexFiltersProps} from '@shopify/polaris';
import {useQuery} from '@tanstack/react-query';
import {memo, type MouseEvent, useCallback, useMemo, useState} from 'react';

import type {components} from '../../api/schema';
import {EMPTY_STATE_IMAGE, ErrorBanner, PageSkeleton, WithConnection, errorMessage} from '../../components/states';
import {useUrlSearchText} from '../../hooks/useUrlSearchText';
import {type Connection, ConnectionSelect} from '../../shell/connection';
import {useAdminLoading} from '../../shell/feedback';
import {PriceSourceNote, priceSourceQuery} from './PriceSource';
import {productFilters} from './productFilters';
import {type ListState, type SortKey, useListState, VIEWS} from './productListState';
import {filtersQuery, listQuery} from './productQueries';
import {ProductTable} from './ProductTable';
import {formatDate} from './productUi';

export {prefetch} from './productQueries';

type FiltersOut = components['schemas']['FiltersOut'];

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
  const state = useListState();
  const {params, set} = state;
  const [actionError, setActionError] = useState<unknown>(null);
  const list = useQuery(listQuery(connection.id, params));
  const menus = useQuery(filtersQuery(connection.id));
  const source = useQuery(priceSourceQuery(connection.id));
  useAdminLoading(list.isFetching);
  const onPage = useCallback((next: number) => set({page: String(next)}), [set]);

  // The price-source line sits above the list: wait for it too (it is quick), unless it failed
  // once already (then the list shows without it rather than wait for its retries).
  if (list.isPending || (source.isPending && source.failureCount === 0)) return <PageSkeleton title="Products" fullWidth />;

  const total = list.data?.total ?? 0;
  const emptyShop = !list.isError && total === 0 && !state.filtered && state.view === 'all';
  const paused = list.data?.listing_paused;
  return (
    <Page title="Products" fullWidth primaryAction={<ConnectionSelect />}>
      <BlockStack gap="400">
        {list.isError ? <ErrorBanner error={list.error} onRetry={() => void list.refetch()} title="Products could not be loaded" /> : null}
        {actionError ? (
          <Banner tone="critical" title="The action did not go through" onDismiss={() => setActionError(null)}>
            <p>{errorMessage(actionError)}</p>
          </Banner>
        ) : null}
        <PriceSourceNote data={source.data} />
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
            <ProductFilterBar menus={menus.data} state={state} loading={list.isFetching} />
            <ProductTable
              connectionId={connection.id}
              items={list.data?.items ?? NO_ITEMS}
              total={total}
              params={params}
              refreshing={list.isFetching && !list.isPending}
              onPage={onPage}
              onActionError={setActionError}
            />
          </Card>
        )}
      </BlockStack>
    </Page>
  );
}

const NO_ITEMS: never[] = [];

/** Saved views (tabs with counts), search, filter menus and sort: IndexFilters. Its mode and
 * the typed search text live here, so opening the filters re-renders this bar only. Every prop
 * but the mode keeps its identity across that render (callbacks, the sort selection, the cancel
 * action), so IndexFilters' memoized sort and update buttons are not rebuilt. */
const ProductFilterBar = memo(function ProductFilterBar({menus, state, loading}: {menus: FiltersOut | undefined; state: ListState; loading: boolean}) {
  const {params, set, setView, clearAll} = state;
  // A list opened with a search or filters in its URL shows them at once.
  const {mode, setMode} = useSetIndexFiltersMode(state.filtered ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const [text, setText] = useUrlSearchText(params.q ?? undefined, useCallback((q: string | undefined) => set({q}), [set]));
  const {filters, applied} = useMemo(() => productFilters(menus, state), [menus, state]);
  const tabs = useMemo(
    () =>
      VIEWS.map((view, index) => {
        const count = view.status ? menus?.statuses[view.status] : view.excluded ? menus?.excluded : undefined;
        return {id: view.id, content: view.label, index, badge: count === undefined ? undefined : String(count), isLocked: true};
      }),
    [menus],
  );
  const selectedTab = Math.max(0, VIEWS.findIndex((v) => v.id === state.view));
  const clearSearch = useCallback(() => {
    setText('');
    set({q: undefined});
  }, [setText, set]);
  const onSelect = useCallback((index: number) => setView(VIEWS[index].id), [setView]);
  const onClearAll = useCallback(() => {
    setText('');
    clearAll();
  }, [setText, clearAll]);
  const onSort = useCallback((selected: string[]) => set({sort: fromSortOption(selected[0])}), [set]);
  const sortOption = toSortOption(params.sort ?? 'title');
  const sortSelected = useMemo(() => [sortOption], [sortOption]);
  const cancelAction = useMemo(() => ({onAction: clearSearch}), [clearSearch]);
  return (
    <div onMouseDownCapture={keepFocusOffTooltipButtons}>
      <IndexFilters
        tabs={tabs}
        selected={selectedTab}
        onSelect={onSelect}
        queryValue={text}
        queryPlaceholder="Search by title or SKU"
        onQueryChange={setText}
        onQueryClear={clearSearch}
        filters={filters}
        appliedFilters={applied}
        onClearAll={onClearAll}
        sortOptions={SORT_OPTIONS}
        sortSelected={sortSelected}
        onSort={onSort}
        mode={mode}
        setMode={setMode}
        cancelAction={cancelAction}
        canCreateNewView={false}
        loading={loading}
      />
    </div>
  );
});

/** Mouse presses on the bar's icon buttons (search and filter, sort) do not move the focus to
 * them. Polaris' Tooltip opens on its activator's focus, and a press focuses a button before its
 * click: the press rendered and positioned the "Search and filter results" tooltip (a layout
 * read) only for the click to unmount it with the button, in the same interaction. The click
 * itself is unchanged, and keyboard focus (Tab) still opens the tooltips. */
function keepFocusOffTooltipButtons(event: MouseEvent<HTMLDivElement>) {
  if ((event.target as Element).closest('[data-polaris-tooltip-activator]')) event.preventDefault();
}
