// The Activity page's filter, sort and page, kept in the URL (a reload or a shared link shows the
// same rows), and the query the API takes for them (list and CSV export alike).
import {useCallback, useMemo} from 'react';
import {useSearchParams} from 'react-router-dom';

export const PAGE_SIZE = 25;

export const KINDS: {label: string; value: string}[] = [
  {label: 'Product', value: 'product'},
  {label: 'Price', value: 'price'},
  {label: 'Inventory', value: 'inventory'},
  {label: 'TikTok review', value: 'audit'},
  {label: 'Order', value: 'order'},
  {label: 'Fulfillment', value: 'fulfillment'},
  {label: 'Cancellation', value: 'order_cancel'},
  {label: 'Webhook', value: 'webhook'},
  {label: 'Catalog import', value: 'catalog_import'},
  {label: 'Connection', value: 'connection'},
];
export const STATUSES: {label: string; value: string}[] = [
  {label: 'Failed', value: 'failed'},
  {label: 'Succeeded', value: 'synced'},
  {label: 'Received', value: 'received'},
  {label: 'Ignored', value: 'ignored'},
  {label: 'Disconnected', value: 'disconnected'},
];

export type Kind = 'product' | 'price' | 'inventory' | 'audit' | 'order' | 'fulfillment' | 'order_cancel' | 'webhook' | 'catalog_import' | 'connection';
export type Status = 'synced' | 'failed' | 'received' | 'ignored' | 'disconnected';
export type SortKey = 'created_at' | 'kind' | 'status';
export type SortDir = 'desc' | 'asc';

export interface ActivityQuery {
  kind?: Kind[];
  status?: Status[];
  connection_id?: number;
  since?: string;
  until?: string;
  q?: string;
  sort?: SortKey;
  direction?: SortDir;
  page?: number;
  page_size?: number;
}

export interface ActivityState {
  query: ActivityQuery;
  /** Any filter or search applied (empty results then mean "no match", not "no activity"). */
  filtered: boolean;
  set: (patch: Partial<ActivityQuery>) => void;
  clear: () => void;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function useActivityState(): ActivityState {
  const [params, setParams] = useSearchParams();
  const query = useMemo<ActivityQuery>(() => {
    const kinds = params.getAll('kind').filter((k) => KINDS.some((o) => o.value === k)) as Kind[];
    const statuses = params.getAll('status').filter((s) => STATUSES.some((o) => o.value === s)) as Status[];
    const connection = Number(params.get('connection_id'));
    const page = Number(params.get('page'));
    const sort = params.get('sort');
    const since = params.get('since') ?? '';
    const until = params.get('until') ?? '';
    return {
      kind: kinds.length ? kinds : undefined,
      status: statuses.length ? statuses : undefined,
      connection_id: connection > 0 ? connection : undefined,
      since: DATE.test(since) ? since : undefined,
      until: DATE.test(until) ? until : undefined,
      q: params.get('q') || undefined,
      sort: sort === 'kind' || sort === 'status' ? sort : 'created_at',
      direction: params.get('direction') === 'asc' ? 'asc' : 'desc',
      page: Number.isInteger(page) && page > 1 ? page : 1,
      page_size: PAGE_SIZE,
    };
  }, [params]);
  const set = useCallback(
    (patch: Partial<ActivityQuery>) => {
      const next = {...query, page: 1, ...patch};
      const out = new URLSearchParams();
      for (const [key, value] of Object.entries(next)) {
        if (key === 'page_size' || value === undefined || value === '') continue;
        if (key === 'page' && value === 1) continue;
        if (key === 'sort' && value === 'created_at') continue;
        if (key === 'direction' && value === 'desc') continue;
        if (Array.isArray(value)) value.forEach((v) => out.append(key, String(v)));
        else out.set(key, String(value));
      }
      setParams(out, {replace: true});
    },
    [query, setParams],
  );
  const clear = useCallback(() => setParams(new URLSearchParams(), {replace: true}), [setParams]);
  const filtered = Boolean(query.kind || query.status || query.connection_id || query.since || query.until || query.q);
  return {query, filtered, set, clear};
}

/** The query string of the CSV export for the current filter and sort (no page). */
export function exportSearch(query: ActivityQuery): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'page' || key === 'page_size' || value === undefined) continue;
    if (Array.isArray(value)) value.forEach((v) => out.append(key, String(v)));
    else out.set(key, String(value));
  }
  return out.toString();
}
