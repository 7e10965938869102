// Orders: the TikTok orders of the selected connection with their order sync and fulfillment
// sync status (each direction), the Shopify order, and each failure's reason and fix action.
// Views by order sync status (counts from /api/orders/summary), filters, search, sort and
// paging run on the server; bulk Sync orders / Sync fulfillments / Retry; Fetch now. Below,
// returns and refunds with Approve / Reject (ReturnsCard).
import {
  Banner,
  BlockStack,
  Card,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexTable,
  List,
  Page,
  useBreakpoints,
  useSetIndexFiltersMode,
} from '@shopify/polaris';
import {keepPreviousData, useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {useEffect, useState} from 'react';
import {useNavigate} from 'react-router-dom';

import {ApiError, api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {rangePagination} from '../../components/pagination';
import {EMPTY_STATE_IMAGE, ErrorBanner, errorMessage, PageSkeleton, WithConnection} from '../../components/states';
import {useRowSelection} from '../../hooks/useRowSelection';
import {type Connection, ConnectionSelect} from '../../shell/connection';
import {useAdminLoading, useToast} from '../../shell/feedback';
import {HEADINGS, type Order, OrderRow, type Problem} from './OrderRow';
import {ReturnsCard} from './ReturnsCard';
import {SORT_OPTIONS, useOrderFilters, VIEWS} from './useOrderFilters';

const PAGE_SIZE = 50;
type Bulk = components['schemas']['BulkOut'];
type BulkKind = 'sync' | 'fulfillments' | 'retry';
const IN_FLIGHT = new Set(['pending', 'running']);
/** While something syncs, the list follows it closely. */
const IN_FLIGHT_POLL_MS = 1500;
/** Otherwise it still looks for new orders (the empty state promises they appear as TikTok
 * sends them): one list and one summary request per 5 s, only while the browser tab is visible. */
const NEW_ORDERS_POLL_MS = 5000;
/** Sortable columns: heading index → API sort key. */
const SORTABLE: Record<number, string> = {0: 'created_at', 2: 'total', 3: 'status'};

/** Something of this order is queued or syncing (the page then polls). */
function inFlight(o: Order): boolean {
  return [o.order_sync, o.fulfillment_to_tiktok, o.fulfillment_to_shopify].some((s) => s && IN_FLIGHT.has(s.status));
}

export default function OrdersPage() {
  return <WithConnection title="Orders">{(c) => <Orders connection={c} />}</WithConnection>;
}

function viewCount(summary: Record<string, number> | undefined, statuses: string[]): number | undefined {
  if (!summary) return undefined;
  if (!statuses.length) return Object.values(summary).reduce((a, b) => a + b, 0);
  return statuses.reduce((n, s) => n + (summary[s] ?? 0), 0);
}

function Orders({connection}: {connection: Connection}) {
  const params = {connection_id: connection.id};
  const navigate = useNavigate();
  const toast = useToast();
  const client = useQueryClient();
  const {smDown} = useBreakpoints();
  const {mode, setMode} = useSetIndexFiltersMode();
  const [offset, setOffset] = useState(0);
  const [skipped, setSkipped] = useState<NonNullable<Bulk['skipped']>>([]);
  const [dateError, setDateError] = useState<{from?: string; to?: string}>({});
  const f = useOrderFilters(dateError);

  useEffect(() => setOffset(0), [f.apiQuery]);
  const orders = useQuery({
    queryKey: ['orders', connection.id, f.apiQuery, offset],
    queryFn: () => unwrap(api.GET('/api/orders', {params: {query: {...params, ...f.apiQuery, limit: PAGE_SIZE, offset}}})),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.orders.some(inFlight) ? IN_FLIGHT_POLL_MS : NEW_ORDERS_POLL_MS),
  });
  const summary = useQuery({
    queryKey: ['orders-summary', connection.id],
    queryFn: () => unwrap(api.GET('/api/orders/summary', {params: {query: params}})),
  });
  const {refetch: refetchSummary} = summary;
  // The counts follow every reload of the list (polling while orders sync, bulk actions).
  useEffect(() => void refetchSummary(), [orders.dataUpdatedAt, refetchSummary]);
  useAdminLoading(orders.isFetching);
  useEffect(() => {
    const err = orders.error instanceof ApiError ? orders.error : undefined;
    setDateError({from: err?.fieldError('created_from'), to: err?.fieldError('created_to')});
  }, [orders.error]);

  const rows = orders.data?.orders ?? [];
  const {selectedResources, allResourcesSelected, handleSelectionChange, clearSelection, selectedItemsCount} = useRowSelection(rows, (o) => o.order_id);

  const refresh = () => client.invalidateQueries({predicate: (q) => String(q.queryKey[0]).startsWith('orders')});
  const bulk = useMutation({
    mutationFn: ({kind, ids}: {kind: BulkKind; ids: string[]}) => {
      const body = {order_ids: ids};
      const opts = {params: {query: params}, body};
      if (kind === 'sync') return unwrap(api.POST('/api/orders/sync', {params: {query: params}, body: {...body, what: 'order'}}));
      if (kind === 'fulfillments') return unwrap(api.POST('/api/orders/sync-fulfillments', opts));
      return unwrap(api.POST('/api/orders/retry', opts));
    },
    onSuccess: (result) => {
      const n = result.queued.length;
      toast(n ? `${n} ${n === 1 ? 'order' : 'orders'} queued` : 'Nothing queued');
      setSkipped(result.skipped ?? []);
      clearSelection();
      void refresh();
    },
    onError: (error) => toast(errorMessage(error), {error: true}),
  });
  const fetchNow = useMutation({
    mutationFn: () => unwrap(api.POST('/api/orders/fetch', {params: {query: params}})),
    onSuccess: () => {
      toast('Fetching orders from TikTok Shop');
      window.setTimeout(() => void refresh(), 1500);
    },
    onError: (error) => toast(errorMessage(error), {error: true}),
  });

  const onFix = (order: Order, problem: Problem) => {
    const a = problem.action;
    if (a.kind === 'link_item') {
      const search = new URLSearchParams({tab: 'manual', tiktok: a.sku_id ?? '', shopify: a.seller_sku ?? ''});
      navigate(`/links?${search.toString()}`);
    } else if (a.kind === 'carrier_mapping') navigate('/settings?tab=fulfillment');
    else if (a.kind === 'reconnect') navigate('/settings?tab=connections');
    else if (a.kind === 'fetch') fetchNow.mutate();
    else if (a.kind === 'sync_order') bulk.mutate({kind: 'sync', ids: [order.order_id]});
    else bulk.mutate({kind: 'retry', ids: [order.order_id]});
  };

  if (orders.isLoading) return <PageSkeleton title="Orders" fullWidth />;
  const selectedIds = allResourcesSelected ? rows.map((o) => o.order_id) : selectedResources;
  const act = (kind: BulkKind) => () => bulk.mutate({kind, ids: selectedIds});
  const [sortKey, sortDir] = f.sort[0].split(' ');
  const sortColumn = Number(Object.keys(SORTABLE).find((k) => SORTABLE[Number(k)] === sortKey) ?? -1);
  const filtered = f.view !== 0 || f.applied.length > 0 || f.query !== '';
  const total = orders.data?.total ?? 0;
  const counts = summary.data?.order_sync;

  const empty = filtered ? (
    <EmptySearchResult title="No orders found" description="Try changing the filters or the search." withIllustration />
  ) : (
    <EmptyState heading="No TikTok orders yet" image={EMPTY_STATE_IMAGE}
      action={{content: 'Fetch orders now', onAction: () => fetchNow.mutate()}}>
      <p>Orders placed in your TikTok Shop appear here as soon as TikTok sends them.</p>
    </EmptyState>
  );

  return (
    <Page
      title="Orders"
      fullWidth
      secondaryActions={[{content: 'Fetch now', onAction: () => fetchNow.mutate(), loading: fetchNow.isPending}]}
    >
      <BlockStack gap="400">
        <ConnectionSelect />
        {skipped.length > 0 && (
          <Banner tone="warning" title={`${skipped.length} ${skipped.length === 1 ? 'order was' : 'orders were'} not queued`}
            onDismiss={() => setSkipped([])}>
            <List>
              {skipped.map((s) => (
                <List.Item key={s.order_id}>{`${s.order_id}: ${s.reason}`}</List.Item>
              ))}
            </List>
          </Banner>
        )}
        {orders.error && !dateError.from && !dateError.to && (
          <ErrorBanner error={orders.error} onRetry={() => void orders.refetch()} title="Orders could not be loaded" />
        )}
        <Card padding="0">
          <IndexFilters
            mode={mode}
            setMode={setMode}
            tabs={VIEWS.map((v, i) => {
              const n = viewCount(counts, v.statuses);
              return {id: v.id, content: v.label, index: i, isLocked: true, badge: n === undefined ? undefined : String(n)};
            })}
            selected={f.view}
            onSelect={f.setView}
            canCreateNewView={false}
            queryValue={f.query}
            queryPlaceholder="Search by order ID or buyer"
            onQueryChange={f.setQuery}
            onQueryClear={() => f.setQuery('')}
            filters={f.filters}
            appliedFilters={f.applied}
            onClearAll={f.clearAll}
            sortOptions={SORT_OPTIONS}
            sortSelected={f.sort}
            onSort={f.setSort}
            loading={orders.isFetching}
          />
          <IndexTable
            resourceName={{singular: 'order', plural: 'orders'}}
            itemCount={rows.length}
            headings={[...HEADINGS] as never}
            condensed={smDown}
            selectedItemsCount={selectedItemsCount}
            onSelectionChange={handleSelectionChange}
            promotedBulkActions={[
              {content: 'Sync orders', onAction: act('sync')},
              {content: 'Sync fulfillments', onAction: act('fulfillments')},
              {content: 'Retry', onAction: act('retry')},
            ]}
            emptyState={empty}
            loading={orders.isFetching && !orders.isLoading}
            sortable={HEADINGS.map((_, i) => i in SORTABLE)}
            sortColumnIndex={sortColumn >= 0 ? sortColumn : undefined}
            sortDirection={sortDir === 'asc' ? 'ascending' : 'descending'}
            onSort={(index, direction) => f.setSort([`${SORTABLE[index]} ${direction === 'ascending' ? 'asc' : 'desc'}`])}
            pagination={rangePagination(offset, PAGE_SIZE, total, setOffset)}
          >
            {rows.map((o, i) => (
              <OrderRow key={o.order_id} order={o} position={i} selected={selectedResources.includes(o.order_id)}
                condensed={smDown} busy={bulk.isPending} onFix={onFix} />
            ))}
          </IndexTable>
        </Card>
        <ReturnsCard connection={connection} />
      </BlockStack>
    </Page>
  );
}
