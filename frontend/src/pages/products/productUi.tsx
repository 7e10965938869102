// Pieces the Products list and the Product detail page share: the status badge (tones per the
// project convention, shopify-admin-ui.md §3.3), dates, and the Retry / Exclude / Include calls.
import {Badge, InlineStack} from '@shopify/polaris';
import {useMutation, useQueryClient} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';

export type ProductRow = components['schemas']['ProductRow'];
export type ProductStatus = components['schemas']['StatusOut'];
export type BadgeKey = ProductStatus['badge'];

/** Badge tone per status: Synced success, Syncing in progress (attention while waiting to
 * retry), Sync failed critical, Review failed warning, Not synced / Not listable neutral. */
export function StatusBadge({status}: {status: ProductStatus}) {
  switch (status.badge) {
    case 'synced':
      return <Badge tone="success">{status.label}</Badge>;
    case 'syncing':
      return (
        <Badge tone={status.raw === 'backoff' ? 'attention' : undefined} progress="incomplete">
          {status.label}
        </Badge>
      );
    case 'failed':
      return <Badge tone="critical">{status.label}</Badge>;
    case 'review_failed':
      return <Badge tone="warning">{status.label}</Badge>;
    default:
      return <Badge>{status.label}</Badge>;
  }
}

/** The status badge, plus "Excluded" when the merchant took the product out of auto sync. */
export function ProductBadges({status, excluded}: {status: ProductStatus; excluded: boolean}) {
  return (
    <InlineStack gap="100" wrap={false}>
      <StatusBadge status={status} />
      {excluded ? <Badge tone="info">Excluded</Badge> : null}
    </InlineStack>
  );
}

const DATE = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});

/** A timestamp from the API in the merchant's locale ("—" for none). */
export function formatDate(value: string | null | undefined): string {
  return value ? DATE.format(new Date(value)) : '—';
}

/** The manual sync form for these products (owned by the Manual sync page). */
export function syncUrl(ids: Array<number | string>): string {
  return `/products/sync?ids=${ids.join(',')}`;
}

export type ProductAction = 'retry' | 'exclude' | 'include';

/** Bulk Retry / Exclude / Include of products (mirror ids); refreshes the lists on success.
 * The caller shows the result (toast) or the error (Banner) itself. */
export function useProductAction(connectionId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({action, ids}: {action: ProductAction; ids: number[]}) => {
      const params = {path: {connection_id: connectionId}};
      const body = {product_ids: ids};
      if (action === 'retry') {
        const out = await unwrap(api.POST('/api/connections/{connection_id}/products/retry', {params, body}));
        return {action, count: out.retried.length, skipped: out.skipped.length};
      }
      const path =
        action === 'exclude'
          ? '/api/connections/{connection_id}/products/exclude'
          : '/api/connections/{connection_id}/products/include';
      const out = await unwrap(api.POST(path, {params, body}));
      return {action, count: out.product_ids.length, skipped: 0};
    },
    onSuccess: () => client.invalidateQueries({queryKey: ['products', connectionId]}),
  });
}

/** A short confirmation for a finished action ("2 products excluded"). */
export function actionMessage(result: {action: ProductAction; count: number; skipped: number}): string {
  const noun = (n: number) => `${n} product${n === 1 ? '' : 's'}`;
  if (result.action === 'retry') {
    if (!result.count) return 'Nothing to retry';
    return `${noun(result.count)} queued again`;
  }
  return `${noun(result.count)} ${result.action === 'exclude' ? 'excluded' : 'included'}`;
}
