// Activity: the activity log (every sync attempt, webhook and connection event of the shop),
// filtered, searched, sorted and paginated on the server (`GET /api/activity`); CSV export of
// the current filter; bulk Retry of failed rows (each skipped row says why).
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  Link,
  List,
  Page,
  Text,
  useBreakpoints,
  useSetIndexFiltersMode,
  type BadgeProps,
  type IndexFiltersProps,
} from '@shopify/polaris';
import {keepPreviousData, useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {useCallback, useMemo, useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {EMPTY_STATE_IMAGE, ErrorBanner, PageSkeleton, errorMessage} from '../../components/states';
import {useRowSelection} from '../../hooks/useRowSelection';
import {useUrlSearchText} from '../../hooks/useUrlSearchText';
import {useConnectionState} from '../../shell/connection';
import {useAdminLoading, useToast} from '../../shell/feedback';
import {dateTime, timeAgo} from '../home/format';
import {activityFilters, downloadCsv} from './activityFilters';
import {type SortDir, type SortKey, useActivityState} from './activityState';

type Row = components['schemas']['ActivityRowOut'];
type RetryResult = components['schemas']['ActivityRetryOut'];

const SORT_OPTIONS: IndexFiltersProps['sortOptions'] = [
  {label: 'Date', value: 'created_at desc', directionLabel: 'Newest first'},
  {label: 'Date', value: 'created_at asc', directionLabel: 'Oldest first'},
  {label: 'Kind', value: 'kind asc', directionLabel: 'A–Z'},
  {label: 'Kind', value: 'kind desc', directionLabel: 'Z–A'},
  {label: 'Status', value: 'status asc', directionLabel: 'A–Z'},
  {label: 'Status', value: 'status desc', directionLabel: 'Z–A'},
];

const STATUS_TONE: Record<string, BadgeProps['tone']> = {
  failed: 'critical',
  synced: 'success',
  disconnected: 'warning',
};

function RetryBanner({result, onDismiss}: {result: RetryResult; onDismiss: () => void}) {
  const skipped = result.results.filter((r) => !r.retried);
  const reasons = [...new Set(skipped.map((r) => r.reason ?? 'Not retried'))];
  return (
    <Banner
      tone={result.retried ? (skipped.length ? 'warning' : 'success') : 'warning'}
      title={`${result.retried} retried, ${result.skipped} skipped`}
      onDismiss={onDismiss}
    >
      {reasons.length ? (
        <List type="bullet">
          {reasons.map((r) => (
            <List.Item key={r}>{`${r} (${skipped.filter((s) => (s.reason ?? 'Not retried') === r).length})`}</List.Item>
          ))}
        </List>
      ) : (
        <p>The syncs run again now; their outcome appears here.</p>
      )}
    </Banner>
  );
}

export default function ActivityPage() {
  const state = useActivityState();
  const {query} = state;
  const toast = useToast();
  const client = useQueryClient();
  const {session} = useConnectionState();
  const {smDown} = useBreakpoints();
  // A filtered view (a reload, a shared link) opens with its filter pills showing.
  const {mode, setMode} = useSetIndexFiltersMode(state.filtered ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const {set} = state;
  const [text, setText] = useUrlSearchText(query.q, useCallback((q: string | undefined) => set({q}), [set]));
  const [exporting, setExporting] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [retried, setRetried] = useState<RetryResult | null>(null);
  const list = useQuery({
    queryKey: ['activity', query],
    queryFn: () => unwrap(api.GET('/api/activity', {params: {query}})),
    placeholderData: keepPreviousData,
  });
  useAdminLoading(list.isFetching);
  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const {selectedResources, handleSelectionChange, clearSelection, selectedItemsCount} = useRowSelection(items, (r) => String(r.id), query);
  const retry = useMutation({
    mutationFn: (ids: number[]) => unwrap(api.POST('/api/activity/retry', {body: {ids}})),
    onSuccess: (result) => {
      setRetried(result);
      clearSelection();
      void client.invalidateQueries({queryKey: ['activity']});
      void client.invalidateQueries({queryKey: ['home']});
    },
    onError: (error) => setProblem(error),
  });
  const exportCsv = async () => {
    setExporting(true);
    setProblem(null);
    try {
      await downloadCsv(state);
      toast('Activity exported');
    } catch (error) {
      setProblem(error);
    } finally {
      setExporting(false);
    }
  };

  if (list.isPending) return <PageSkeleton title="Activity" fullWidth />;
  const total = list.data?.total ?? 0;
  const page = query.page ?? 1;
  const pages = Math.max(1, Math.ceil(total / (query.page_size ?? 25)));
  const {filters, applied} = activityFilters(state, session?.connections ?? []);
  const nothingYet = !list.isError && total === 0 && !state.filtered;
  const failedSelected = items.filter((r) => selectedResources.includes(String(r.id)) && r.status === 'failed').length;

  const rows = items.map((r: Row, index) => (
    <IndexTable.Row id={String(r.id)} key={r.id} position={index} selected={selectedResources.includes(String(r.id))}>
      {smDown ? (
        <IndexTable.Cell>
          <BlockStack gap="100">
            <Text as="span" fontWeight="semibold">
              {r.subject}
            </Text>
            <Text as="span" tone="subdued">{`${r.kind_label} · ${r.status_label} · ${timeAgo(r.created_at)}`}</Text>
            <Text as="span" breakWord>
              {r.error ?? r.message ?? ''}
            </Text>
          </BlockStack>
        </IndexTable.Cell>
      ) : (
        <>
          <IndexTable.Cell>
            <Text as="span">{dateTime(r.created_at)}</Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Badge>{r.kind_label}</Badge>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Badge tone={STATUS_TONE[r.status]}>{r.status_label}</Badge>
          </IndexTable.Cell>
          <IndexTable.Cell>
            {r.url ? (
              <Link url={r.url} removeUnderline>
                {r.subject}
              </Link>
            ) : (
              <Text as="span">{r.subject}</Text>
            )}
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span">{r.region ?? '—'}</Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            {/* Long messages wrap inside the column instead of widening the table. */}
            <div style={{whiteSpace: 'normal', minWidth: '16rem', maxWidth: '40rem'}}>
              <BlockStack gap="050">
                <Text as="span" breakWord>
                  {r.message ?? ''}
                </Text>
                {r.error && r.error !== r.message ? (
                  <Text as="span" tone="critical" breakWord>
                    {r.error}
                  </Text>
                ) : null}
                {r.status === 'failed' && r.retry.reason ? (
                  <Text as="span" tone="subdued">
                    {r.retry.reason}
                  </Text>
                ) : null}
              </BlockStack>
            </div>
          </IndexTable.Cell>
        </>
      )}
    </IndexTable.Row>
  ));

  return (
    <Page
      title="Activity"
      fullWidth
      subtitle="Every sync attempt, webhook and connection change, newest first."
      primaryAction={{content: 'Export CSV', onAction: () => void exportCsv(), loading: exporting, disabled: total === 0}}
    >
      <BlockStack gap="400">
        {problem ? <ErrorBanner error={problem} title={errorMessage(problem)} /> : null}
        {retried ? <RetryBanner result={retried} onDismiss={() => setRetried(null)} /> : null}
        {list.isError ? <ErrorBanner error={list.error} onRetry={() => void list.refetch()} /> : null}
        <Card padding="0">
          {nothingYet ? (
            <EmptyState heading="No activity yet" image={EMPTY_STATE_IMAGE}>
              <p>Every product, order and fulfillment sync, and every webhook received, is logged here.</p>
            </EmptyState>
          ) : (
            <>
              <IndexFilters
                sortOptions={SORT_OPTIONS}
                sortSelected={[`${query.sort ?? 'created_at'} ${query.direction ?? 'desc'}`]}
                onSort={([value]) => {
                  const [sort, direction] = value.split(' ') as [SortKey, SortDir];
                  state.set({sort, direction});
                }}
                queryValue={text}
                queryPlaceholder="Search messages, products, order ids"
                onQueryChange={setText}
                onQueryClear={() => setText('')}
                tabs={[]}
                selected={0}
                onSelect={() => undefined}
                canCreateNewView={false}
                filters={filters}
                appliedFilters={applied}
                onClearAll={() => {
                  setText('');
                  state.clear();
                }}
                mode={mode}
                setMode={setMode}
                loading={list.isFetching}
              />
              <IndexTable
                condensed={smDown}
                resourceName={{singular: 'activity row', plural: 'activity rows'}}
                itemCount={items.length}
                selectedItemsCount={selectedItemsCount}
                onSelectionChange={handleSelectionChange}
                loading={list.isFetching}
                promotedBulkActions={[
                  {
                    content: failedSelected ? `Retry ${failedSelected} failed` : 'Retry failed',
                    onAction: () => retry.mutate(selectedResources.map(Number)),
                    disabled: retry.isPending,
                  },
                ]}
                emptyState={<EmptySearchResult title="No activity matches" description="Try other filters or search words." withIllustration />}
                headings={
                  smDown
                    ? [{title: 'Activity'}]
                    : [{title: 'Date'}, {title: 'Kind'}, {title: 'Status'}, {title: 'Subject'}, {title: 'Region'}, {title: 'Message'}]
                }
                pagination={{
                  hasPrevious: page > 1,
                  hasNext: page < pages,
                  onPrevious: () => state.set({page: page - 1}),
                  onNext: () => state.set({page: page + 1}),
                  label: `Page ${page} of ${pages} · ${total} row${total === 1 ? '' : 's'}`,
                }}
              >
                {rows}
              </IndexTable>
            </>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
