// TikTok reference data for the category forms (TanStack Query; the server caches TikTok's
// answers too, so these are cheap). Reference data changes rarely: long stale times.
import {keepPreviousData, useQuery} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';

const LONG = 10 * 60_000;

export function useRegion(connectionId: number) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'region'],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/tiktok/region', {params: {path: {connection_id: connectionId}}})),
    staleTime: LONG,
  });
}

/** One level of the category tree ("0": the top level). */
export function useCategoryLevel(connectionId: number, parentId: string, enabled = true) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'categories', 'level', parentId],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/tiktok/categories', {
        params: {path: {connection_id: connectionId}, query: {parent_id: parentId}},
      })),
    staleTime: LONG,
    enabled,
  });
}

/** Leaf categories whose path contains `keyword` (the first 50). */
export function useCategorySearch(connectionId: number, keyword: string) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'categories', 'search', keyword],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/tiktok/categories', {
        params: {path: {connection_id: connectionId}, query: {keyword, leaves_only: true, limit: 50}},
      })),
    staleTime: LONG,
    enabled: keyword.trim().length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useAttributes(connectionId: number, categoryId: string | undefined) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'attributes', categoryId],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/tiktok/categories/{category_id}/attributes', {
        params: {path: {connection_id: connectionId, category_id: categoryId ?? ''}},
      })),
    staleTime: LONG,
    enabled: Boolean(categoryId),
  });
}

export function useCategoryRules(connectionId: number, categoryId: string | undefined) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'rules', categoryId],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/tiktok/categories/{category_id}/rules', {
        params: {path: {connection_id: connectionId, category_id: categoryId ?? ''}},
      })),
    staleTime: LONG,
    enabled: Boolean(categoryId),
  });
}

export function useBrands(connectionId: number, categoryId: string | undefined, name: string) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'brands', categoryId ?? '', name],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/tiktok/brands', {
        params: {path: {connection_id: connectionId}, query: {category_id: categoryId || undefined, name: name || undefined}},
      })),
    staleTime: LONG,
    placeholderData: keepPreviousData,
  });
}
