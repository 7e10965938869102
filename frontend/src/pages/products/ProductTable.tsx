// The Products page's IndexTable: one memoized row per product, the selection and the bulk
// actions (Sync → manual sync form, Retry, Exclude, Include). Rendered by ProductsPage.
//
// Selecting a row re-renders this table only, not the filter bar above it, and of the rows only
// those whose `selected` changed (ProductRow is memoized; its cells are the same elements when
// Polaris' row re-renders from its own context): the interaction stays short with 50 rows.
// The first paint renders the rows that fill the window; the rest of the page follows right
// after it, below the fold (a row is ~32 elements: 50 of them were 80% of the page's DOM).
import {Button, EmptySearchResult, IndexTable, Link, Text, Thumbnail, useBreakpoints} from '@shopify/polaris';
import type {IndexTableProps} from '@shopify/polaris';
import {ImageIcon} from '@shopify/polaris-icons';
import {memo, useCallback, useEffect, useMemo, useState} from 'react';
import {useNavigate} from 'react-router-dom';

import {pagePagination} from '../../components/pagination';
import {useRowSelection} from '../../hooks/useRowSelection';
import {useToast} from '../../shell/feedback';
import {type ListParams, PAGE_SIZE} from './productListState';
import {
  actionMessage,
  formatDate,
  type ProductAction,
  ProductBadges,
  type ProductRow as Product,
  syncUrl,
  useProductAction,
} from './productUi';

const RESOURCE_NAME = {singular: 'product', plural: 'products'};
const HEADINGS: IndexTableProps['headings'] = [
  {title: 'Image', hidden: true},
  {title: 'Title'},
  {title: 'Variants', alignment: 'end'},
  {title: 'Status'},
  {title: 'Template'},
  {title: 'TikTok product ID'},
  {title: 'Last synced'},
  {title: 'Actions', hidden: true},
];
const EMPTY = <EmptySearchResult title="No products found" description="Try changing the filters or the search term." withIllustration />;
const productId = (p: Product) => String(p.id);

interface ProductTableProps {
  connectionId: number;
  items: Product[];
  total: number;
  params: ListParams;
  /** A newer page is being fetched (the rows shown are the previous one's). */
  refreshing: boolean;
  onPage: (page: number) => void;
  /** A bulk action failed (the page shows it above the list); null when one starts. */
  onActionError: (error: unknown) => void;
}

export const ProductTable = memo(function ProductTable({connectionId, items, total, params, refreshing, onPage, onActionError}: ProductTableProps) {
  const navigate = useNavigate();
  const toast = useToast();
  const {smDown} = useBreakpoints();
  const {selectedResources, handleSelectionChange, clearSelection, selectedItemsCount} = useRowSelection(items, productId, params);
  const action = useProductAction(connectionId);

  const run = useCallback(
    (kind: ProductAction) => {
      onActionError(null);
      action.mutate(
        {action: kind, ids: selectedResources.map(Number)},
        {
          onSuccess: (result) => {
            toast(actionMessage(result));
            clearSelection();
          },
          onError: onActionError,
        },
      );
    },
    [action, selectedResources, toast, clearSelection, onActionError],
  );
  const openSync = useCallback((id: number) => navigate(syncUrl([id])), [navigate]);

  const selected = useMemo(() => new Set(selectedResources), [selectedResources]);
  const shown = useFirstPaintRows(items.length);
  const rows = items.slice(0, shown).map((p, index) => (
    <ProductRow key={p.id} product={p} position={index} selected={selected.has(String(p.id))} onSync={openSync} />
  ));
  const page = params.page ?? 1;
  return (
    <IndexTable
      resourceName={RESOURCE_NAME}
      itemCount={items.length}
      selectedItemsCount={selectedItemsCount}
      onSelectionChange={handleSelectionChange}
      condensed={smDown}
      loading={refreshing}
      emptyState={EMPTY}
      headings={HEADINGS}
      promotedBulkActions={[
        {content: 'Sync products', onAction: () => navigate(syncUrl(selectedResources))},
        {content: 'Retry', onAction: () => run('retry'), disabled: action.isPending},
      ]}
      bulkActions={[
        {content: 'Exclude from sync', onAction: () => run('exclude'), disabled: action.isPending},
        {content: 'Include in sync', onAction: () => run('include'), disabled: action.isPending},
      ]}
      pagination={pagePagination(page, PAGE_SIZE, total, onPage, '0 products')}
    >
      {rows}
    </IndexTable>
  );
});

/** Polaris' IndexTable rows are at least this tall (px): rows past window height / this are
 * below the fold on the first paint. */
const MIN_ROW_HEIGHT = 36;

/** How many of `count` rows to render: on the table's first render those the window can show,
 * then all of them once that has painted (a frame, then a task). Later pages render at once. */
function useFirstPaintRows(count: number): number {
  const [limit, setLimit] = useState(() => Math.max(10, Math.ceil(window.innerHeight / MIN_ROW_HEIGHT)));
  const partial = limit < count;
  useEffect(() => {
    if (!partial) return undefined;
    let timer = 0;
    const frame = window.requestAnimationFrame(() => {
      timer = window.setTimeout(() => setLimit(Infinity), 0);
    });
    return () => {
      window.cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [partial]);
  return Math.min(limit, count);
}

interface ProductRowProps {
  product: Product;
  position: number;
  selected: boolean;
  onSync: (id: number) => void;
}

/** One product: thumbnail, title (opens the detail), variants, badges, template, TikTok id,
 * last synced, and its own Sync button. */
const ProductRow = memo(function ProductRow({product: p, position, selected, onSync}: ProductRowProps) {
  return (
    <IndexTable.Row id={String(p.id)} position={position} selected={selected}>
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
          <Button size="slim" onClick={() => onSync(p.id)} accessibilityLabel={`Sync ${p.title}`}>
            Sync
          </Button>
        </div>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
});
