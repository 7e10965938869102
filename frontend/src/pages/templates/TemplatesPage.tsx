// Category templates list (`/templates`): IndexTable of the connection's templates with their
// category path, place in the priority order (move up/down), status and default badges and the
// number of products each takes; search, status filter, sort and pages on the server; bulk
// activate/deactivate/delete, make default. A row opens the editor.
import {
  Badge,
  Banner,
  Button,
  ButtonGroup,
  Card,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexTable,
  InlineStack,
  Layout,
  List,
  Modal,
  Page,
  Text,
  useBreakpoints,
  useSetIndexFiltersMode,
} from '@shopify/polaris';
import type {IndexFiltersProps} from '@shopify/polaris';
import {ArrowDownIcon, ArrowUpIcon} from '@shopify/polaris-icons';
import {keepPreviousData, useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {useState} from 'react';
import {useNavigate} from 'react-router-dom';

import {ApiError, api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {type ChoiceFilterSpec, choiceFilter, choicePill} from '../../components/choiceFilter';
import {pagePagination} from '../../components/pagination';
import {EMPTY_STATE_IMAGE, ErrorBanner, PageSkeleton, WithConnection} from '../../components/states';
import {useDebounced} from '../../hooks/useDebounced';
import {useRowSelection} from '../../hooks/useRowSelection';
import {ConnectionSelect} from '../../shell/connection';
import {useAdminLoading, useToast} from '../../shell/feedback';

type Row = components['schemas']['TemplateRow'];
type Status = 'active' | 'inactive' | 'default';
type SortKey = 'priority' | 'name' | 'category' | 'products';
const PAGE_SIZE = 25;
const STATUS_CHOICES = [
  {label: 'Active', value: 'active'},
  {label: 'Inactive', value: 'inactive'},
  {label: 'Default', value: 'default'},
];
const SORTS: IndexFiltersProps['sortOptions'] = [
  {label: 'Priority', value: 'priority asc', directionLabel: 'First to last'},
  {label: 'Priority', value: 'priority desc', directionLabel: 'Last to first'},
  {label: 'Name', value: 'name asc', directionLabel: 'A-Z'},
  {label: 'Name', value: 'name desc', directionLabel: 'Z-A'},
  {label: 'Category', value: 'category asc', directionLabel: 'A-Z'},
  {label: 'Category', value: 'category desc', directionLabel: 'Z-A'},
  {label: 'Products', value: 'products desc', directionLabel: 'Most first'},
  {label: 'Products', value: 'products asc', directionLabel: 'Fewest first'},
];

export default function TemplatesPage() {
  return <WithConnection title="Category templates">{(c) => <TemplatesList key={c.id} connectionId={c.id} />}</WithConnection>;
}

interface Failure {
  name: string;
  error: unknown;
}

function TemplatesList({connectionId}: {connectionId: number}) {
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const {smDown} = useBreakpoints();
  const {mode, setMode} = useSetIndexFiltersMode();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status | undefined>();
  const [sort, setSort] = useState(['priority asc']);
  const [page, setPage] = useState(1);
  const [confirmDelete, setConfirmDelete] = useState<number[] | null>(null);
  const [failures, setFailures] = useState<Failure[]>([]);
  const q = useDebounced(query.trim(), 300);
  const [sortKey, direction] = sort[0].split(' ') as [SortKey, 'asc' | 'desc'];

  const list = useQuery({
    queryKey: ['templates', connectionId, 'overview', {q, status, sortKey, direction, page}],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/templates/overview', {
        params: {path: {connection_id: connectionId}, query: {q: q || undefined, status, sort: sortKey, direction, page, page_size: PAGE_SIZE}},
      })),
    placeholderData: keepPreviousData,
  });
  useAdminLoading(list.isFetching);
  const rows = list.data?.items ?? [];
  const {selectedResources, handleSelectionChange, clearSelection, selectedItemsCount} = useRowSelection(rows, (r) => String(r.id));
  const refresh = () => queryClient.invalidateQueries({queryKey: ['templates', connectionId]});
  const path = (id: number) => ({params: {path: {connection_id: connectionId, template_id: id}}});
  const nameOf = (id: number) => rows.find((r) => r.id === id)?.name ?? `Template ${id}`;

  /** Run one call per selected template; failures are kept with the template's name. */
  const bulk = useMutation({
    mutationFn: async ({ids, call}: {ids: number[]; call: (id: number) => Promise<unknown>; done: string}) => {
      const results = await Promise.allSettled(ids.map((id) => call(id)));
      return results.flatMap((r, i) => (r.status === 'rejected' ? [{name: nameOf(ids[i]), error: r.reason}] : []));
    },
    onSuccess: (failed, {ids, done}) => {
      setFailures(failed);
      if (failed.length < ids.length) toast(done);
      clearSelection();
      void refresh();
    },
  });
  const selectedIds = selectedResources.map(Number);
  const activate = (ids: number[]) =>
    bulk.mutate({ids, done: ids.length === 1 ? 'Template activated' : 'Templates activated', call: (id) => unwrap(api.POST('/api/connections/{connection_id}/templates/{template_id}/activate', path(id)))});
  const deactivate = (ids: number[]) =>
    bulk.mutate({ids, done: ids.length === 1 ? 'Template deactivated' : 'Templates deactivated', call: (id) => unwrap(api.POST('/api/connections/{connection_id}/templates/{template_id}/deactivate', path(id)))});
  const makeDefault = (id: number) =>
    bulk.mutate({ids: [id], done: 'Default template set', call: (tid) => unwrap(api.POST('/api/connections/{connection_id}/templates/{template_id}/default', path(tid)))});
  const remove = (ids: number[]) =>
    bulk.mutate(
      {ids, done: ids.length === 1 ? 'Template deleted' : 'Templates deleted', call: (id) => unwrap(api.DELETE('/api/connections/{connection_id}/templates/{template_id}', path(id)))},
      {onSettled: () => setConfirmDelete(null)},
    );
  const move = useMutation({
    mutationFn: ({id, dir}: {id: number; dir: 'up' | 'down'}) =>
      unwrap(api.POST('/api/connections/{connection_id}/templates/{template_id}/move', {...path(id), body: {direction: dir}})),
    onSuccess: () => void refresh(),
    onError: (error, {id}) => setFailures([{name: nameOf(id), error}]),
  });

  const filtered = Boolean(q || status);
  if (list.isLoading) return <PageSkeleton title="Category templates" fullWidth />;
  const empty = !filtered && list.data?.total === 0;
  const statusFilter: ChoiceFilterSpec = {
    key: 'status',
    label: 'Status',
    choices: STATUS_CHOICES,
    selected: status ? [status] : [],
    onChange: ([v]) => {
      setStatus(v as Status | undefined);
      setPage(1);
    },
    pinned: true,
    shortcut: true,
  };
  const filters = [choiceFilter(statusFilter)];
  const applied = choicePill(statusFilter);
  const total = list.data?.total ?? 0;

  return (
    <Page
      title="Category templates"
      fullWidth
      primaryAction={{content: 'Create template', url: '/templates/new'}}
      secondaryActions={<ConnectionSelect />}
    >
      <Layout>
        {list.error ? (
          <Layout.Section>
            <ErrorBanner error={list.error} onRetry={() => list.refetch()} />
          </Layout.Section>
        ) : null}
        {failures.length ? (
          <Layout.Section>
            <Banner tone="critical" title="Some changes could not be made" onDismiss={() => setFailures([])}>
              <List>
                {failures.map((f) => (
                  <List.Item key={f.name}>
                    <Text as="span" fontWeight="semibold">{f.name}:</Text> {describe(f.error)}
                  </List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            {empty ? (
              <EmptyState
                heading="Create your first category template"
                action={{content: 'Create template', url: '/templates/new'}}
                image={EMPTY_STATE_IMAGE}
              >
                <p>
                  A template gives products a TikTok category, its attributes, a brand and package details. Activate it and the products
                  it takes are listed on TikTok Shop automatically.
                </p>
              </EmptyState>
            ) : (
              <>
                <IndexFilters
                  mode={mode}
                  setMode={setMode}
                  tabs={[]}
                  selected={0}
                  queryValue={query}
                  queryPlaceholder="Search templates or categories"
                  onQueryChange={(v) => {
                    setQuery(v);
                    setPage(1);
                  }}
                  onQueryClear={() => setQuery('')}
                  filters={filters}
                  appliedFilters={applied}
                  onClearAll={() => {
                    setStatus(undefined);
                    setQuery('');
                  }}
                  sortOptions={SORTS}
                  sortSelected={sort}
                  onSort={(v) => {
                    setSort(v);
                    setPage(1);
                  }}
                  canCreateNewView={false}
                  loading={list.isFetching}
                />
                <IndexTable
                  resourceName={{singular: 'template', plural: 'templates'}}
                  itemCount={rows.length}
                  selectedItemsCount={selectedItemsCount}
                  onSelectionChange={handleSelectionChange}
                  condensed={smDown}
                  loading={list.isFetching && !list.isLoading}
                  emptyState={<EmptySearchResult title="No templates found" description="Try another search or filter." withIllustration />}
                  headings={[
                    {title: 'Name'},
                    {title: 'Category'},
                    {title: 'Priority'},
                    {title: 'Status'},
                    {title: 'Products', alignment: 'end'},
                  ]}
                  promotedBulkActions={[
                    {content: 'Activate templates', onAction: () => activate(selectedIds)},
                    {content: 'Deactivate templates', onAction: () => deactivate(selectedIds)},
                  ]}
                  bulkActions={[
                    ...(selectedIds.length === 1 ? [{content: 'Make default', onAction: () => makeDefault(selectedIds[0])}] : []),
                    {content: 'Delete templates', onAction: () => setConfirmDelete(selectedIds)},
                  ]}
                  pagination={pagePagination(page, PAGE_SIZE, total, setPage)}
                >
                  {rows.map((row, index) => (
                    <TemplateTableRow
                      key={row.id}
                      row={row}
                      index={index}
                      selected={selectedResources.includes(String(row.id))}
                      onOpen={() => navigate(`/templates/${row.id}`)}
                      onMove={(dir) => move.mutate({id: row.id, dir})}
                      moving={move.isPending}
                      lastPosition={Math.max(0, ...rows.map((r) => r.position ?? 0))}
                    />
                  ))}
                </IndexTable>
              </>
            )}
          </Card>
        </Layout.Section>
      </Layout>
      <Modal
        open={confirmDelete !== null}
        onClose={() => setConfirmDelete(null)}
        title={confirmDelete?.length === 1 ? `Delete “${nameOf(confirmDelete[0])}”?` : `Delete ${confirmDelete?.length ?? 0} templates?`}
        primaryAction={{content: 'Delete', destructive: true, loading: bulk.isPending, onAction: () => confirmDelete && remove(confirmDelete)}}
        secondaryActions={[{content: 'Cancel', onAction: () => setConfirmDelete(null)}]}
      >
        <Modal.Section>
          <Text as="p">
            Products already listed on TikTok stay listed. Products the template would take are no longer synced automatically. This cannot be
            undone.
          </Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}

function describe(error: unknown): string {
  if (error instanceof ApiError && error.fields.length) {
    return error.fields.map((f) => [f.message, f.fix].filter(Boolean).join(' ')).join(' ');
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}

interface RowProps {
  row: Row;
  index: number;
  selected: boolean;
  onOpen: () => void;
  onMove: (dir: 'up' | 'down') => void;
  moving: boolean;
  lastPosition: number;
}

function TemplateTableRow({row, index, selected, onOpen, onMove, moving, lastPosition}: RowProps) {
  return (
    <IndexTable.Row id={String(row.id)} position={index} selected={selected} onNavigation={onOpen} onClick={onOpen}>
      <IndexTable.Cell>
        <Button variant="plain" url={`/templates/${row.id}`} dataPrimaryLink>
          {row.name}
        </Button>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" tone="subdued">
          {row.category_path.join(' › ')}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {row.position === null ? (
          <Text as="span" tone="subdued">
            Last (default)
          </Text>
        ) : (
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Text as="span">{row.position}</Text>
            <div onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()} role="presentation">
              <ButtonGroup variant="segmented">
                <Button icon={ArrowUpIcon} size="slim" accessibilityLabel={`Move ${row.name} up`} disabled={moving || row.position <= 1} onClick={() => onMove('up')} />
                <Button
                  icon={ArrowDownIcon}
                  size="slim"
                  accessibilityLabel={`Move ${row.name} down`}
                  disabled={moving || row.position >= lastPosition}
                  onClick={() => onMove('down')}
                />
              </ButtonGroup>
            </div>
          </InlineStack>
        )}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack gap="100" wrap={false}>
          <Badge tone={row.active ? 'success' : undefined}>{row.active ? 'Active' : 'Inactive'}</Badge>
          {row.is_default ? <Badge tone="info">Default</Badge> : null}
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {row.product_count}
        </Text>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}
