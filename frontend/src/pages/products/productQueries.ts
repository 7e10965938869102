// The Products page's three first requests as TanStack query options (list page, filter menus,
// price source), and `prefetch`, which routes.tsx calls when the app opens on /products: the
// requests then start as soon as the session is known, while React still mounts the shell.
import {keepPreviousData, type QueryClient, queryOptions} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import {takeEarlyPageResponse} from '../../api/early';
import type {components} from '../../api/schema';
import {pickConnection, sessionQuery} from '../../shell/connection';
import {priceSourceQuery} from './PriceSource';
import {listParams, type ListParams} from './productListState';

type ProductPage = components['schemas']['ProductPage'];

/** The list a URL without filters shows (what index.html asks for early). */
const DEFAULT_PARAMS = JSON.stringify(listParams(new URLSearchParams()));

/** The first page index.html asked for, when `params` are the defaults and it is there. */
async function earlyList(connectionId: number, params: ListParams): Promise<ProductPage | undefined> {
  if (JSON.stringify(params) !== DEFAULT_PARAMS) return undefined;
  const page = await takeEarlyPageResponse<ProductPage>('list', connectionId);
  return page?.page_size === params.page_size ? page : undefined;
}

/** One page of the list (filters, sort and page in `params`). */
export function listQuery(connectionId: number, params: ListParams) {
  return queryOptions({
    queryKey: ['products', connectionId, 'list', params],
    queryFn: async () =>
      (await earlyList(connectionId, params)) ??
      unwrap(api.GET('/api/connections/{connection_id}/products', {params: {path: {connection_id: connectionId}, query: params}})),
    placeholderData: keepPreviousData,
  });
}

/** The filter menus' values and the count per status. */
export function filtersQuery(connectionId: number) {
  return queryOptions({
    queryKey: ['products', connectionId, 'filters'],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/products/filters', {params: {path: {connection_id: connectionId}}})),
  });
}

/** Start the page's requests for the URL the app opened on (a failed session is left to the
 * page, which shows it). */
export async function prefetch(client: QueryClient): Promise<void> {
  const session = await client.ensureQueryData(sessionQuery).catch(() => undefined);
  const connection = pickConnection(session);
  if (!connection) return;
  const params = listParams(new URLSearchParams(window.location.search));
  void client.prefetchQuery(listQuery(connection.id, params));
  void client.prefetchQuery(priceSourceQuery(connection.id));
  void client.prefetchQuery(filtersQuery(connection.id));
}
