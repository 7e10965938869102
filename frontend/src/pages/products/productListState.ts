// The Products list's filters, sort and page, kept in the URL (`?status=failed&vendor=…`) so a
// reload, the back button from a product and a shared link all show the same list.
import {useCallback, useMemo, useRef} from 'react';
import {useSearchParams} from 'react-router-dom';

import type {operations} from '../../api/schema';

export type ListParams = NonNullable<
  operations['list_products_api_connections__connection_id__products_get']['parameters']['query']
>;
export type StatusFilter = NonNullable<ListParams['status']>;
export type SortKey = NonNullable<ListParams['sort']>;

export const PAGE_SIZE = 50;

export const STATUS_LABELS: Record<StatusFilter, string> = {
  not_synced: 'Not synced',
  syncing: 'Syncing',
  synced: 'Synced',
  failed: 'Sync failed',
  review_failed: 'Review failed',
  not_listable: 'Not listable',
};

/** Saved views: every product, each sync status, and the excluded ones (Not listable is a
 * status filter: seven views still fit beside the search and sort buttons). */
const VIEW_STATUSES: StatusFilter[] = ['not_synced', 'syncing', 'synced', 'failed', 'review_failed'];
export const VIEWS: {id: string; label: string; status?: StatusFilter; excluded?: boolean}[] = [
  {id: 'all', label: 'All'},
  ...VIEW_STATUSES.map((s) => ({id: s, label: STATUS_LABELS[s], status: s})),
  {id: 'excluded', label: 'Excluded', excluded: true},
];

const SORT_KEYS: SortKey[] = ['title', '-title', 'updated', '-updated', 'last_synced', '-last_synced', 'status', '-status'];

/** The text filters (a "key" is a URL parameter). */
export type TextKey = 'vendor' | 'product_type' | 'collection' | 'template' | 'q';

export interface ListState {
  params: ListParams;
  view: string;
  /** Any filter besides the view (search included). */
  filtered: boolean;
  set: (changes: Partial<Record<TextKey | 'status' | 'excluded' | 'sort' | 'page', string | undefined>>) => void;
  setView: (id: string) => void;
  clearAll: () => void;
}

/** The list's API parameters from the page's URL query (unknown values fall back to the
 * defaults); the Products page and its prefetch (`productQueries`) read them the same way. */
export function listParams(search: URLSearchParams): ListParams {
  const status = search.get('status');
  const sort = search.get('sort');
  const excluded = search.get('excluded');
  const page = Number(search.get('page'));
  return {
    status: status && status in STATUS_LABELS ? (status as StatusFilter) : undefined,
    vendor: search.get('vendor') || undefined,
    product_type: search.get('product_type') || undefined,
    collection: search.get('collection') || undefined,
    template: search.get('template') || undefined,
    q: search.get('q') || undefined,
    excluded: excluded === 'true' ? true : excluded === 'false' ? false : undefined,
    sort: sort && SORT_KEYS.includes(sort as SortKey) ? (sort as SortKey) : 'title',
    page: Number.isInteger(page) && page > 1 ? page : 1,
    page_size: PAGE_SIZE,
  };
}

/** The list's state in the URL; the returned object changes only when the URL does (so
 * memoized parts of the page, e.g. the filter bar, skip renders the URL did not cause). */
export function useListState(): ListState {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => listParams(search), [search]);

  // The URL query `set` starts from (the one of the latest render).
  const latest = useRef(search);
  latest.current = search;
  const set = useCallback<ListState['set']>(
    (changes) => {
      const next = new URLSearchParams(latest.current);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === '') next.delete(key);
        else next.set(key, value);
      }
      // A new filter or sort starts again at the first page.
      if (!('page' in changes)) next.delete('page');
      // Nothing changed (e.g. clearing an empty search): no navigation, so no re-render.
      if (next.toString() === latest.current.toString()) return;
      setSearch(next, {replace: true});
    },
    [setSearch],
  );

  const view = VIEWS.find((v) =>
    v.excluded ? params.excluded === true && !params.status : v.status ? params.status === v.status && params.excluded === undefined : !params.status && params.excluded === undefined,
  )?.id ?? 'custom';

  const setView = useCallback(
    (id: string) => {
      const chosen = VIEWS.find((v) => v.id === id);
      set({status: chosen?.status, excluded: chosen?.excluded ? 'true' : undefined});
    },
    [set],
  );

  const clearAll = useCallback(
    () => set({vendor: undefined, product_type: undefined, collection: undefined, template: undefined, status: undefined, excluded: undefined, q: undefined}),
    [set],
  );

  const filtered = Boolean(params.vendor || params.product_type || params.collection || params.template || params.q);
  return useMemo(() => ({params, view, filtered, set, setView, clearAll}), [params, view, filtered, set, setView, clearAll]);
}
