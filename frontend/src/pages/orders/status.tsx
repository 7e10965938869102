// Sync status badges and labels of the Orders page (project convention, reference §3.3):
// Synced → success; Queued/Syncing → no tone + incomplete; Retrying → warning; Failed → critical.
import {Badge, Text} from '@shopify/polaris';

type Tone = 'success' | 'warning' | 'critical' | 'attention' | 'info' | undefined;

const SYNC: Record<string, {label: string; tone: Tone; progress?: 'incomplete' | 'partiallyComplete' | 'complete'}> = {
  not_synced: {label: 'Not synced', tone: undefined},
  unfulfilled: {label: 'Not shipped yet', tone: undefined},
  waiting: {label: 'Awaiting payment', tone: 'info'},
  pending: {label: 'Queued', tone: undefined, progress: 'incomplete'},
  running: {label: 'Syncing', tone: 'info', progress: 'partiallyComplete'},
  synced: {label: 'Synced', tone: 'success', progress: 'complete'},
  backoff: {label: 'Retrying', tone: 'warning'},
  failed: {label: 'Failed', tone: 'critical'},
  review_failed: {label: 'Review failed', tone: 'critical'},
  cancelled: {label: 'Cancelled', tone: undefined},
};

export const ORDER_SYNC_LABELS = SYNC;

/** What a fulfillment direction's `unfulfilled` / `not_synced` mean, by the side that ships:
 * nothing shipped yet, or shipped there while fulfillment auto sync was off. */
export const FULFILLMENT_LABELS: Record<'to_tiktok' | 'to_shopify', Record<string, string>> = {
  to_tiktok: {unfulfilled: 'Not fulfilled yet', not_synced: 'Fulfilled in Shopify, not synced yet'},
  to_shopify: {unfulfilled: 'Not shipped yet', not_synced: 'Shipped on TikTok, not synced yet'},
};

/** The badge of an order or fulfillment sync status (`labels` override the wording of some
 * statuses); a dash where it does not apply. */
export function SyncBadge({status, labels}: {status: string | null | undefined; labels?: Record<string, string>}) {
  if (!status) {
    return (
      <>
        <Text as="span" tone="subdued">
          —
        </Text>
        <Text as="span" visuallyHidden>
          Not applicable
        </Text>
      </>
    );
  }
  const s = SYNC[status] ?? {label: status, tone: undefined};
  return (
    <Badge tone={s.tone} progress={s.progress}>
      {labels?.[status] ?? s.label}
    </Badge>
  );
}

export const TIKTOK_STATUSES: {value: string; label: string}[] = [
  {value: 'UNPAID', label: 'Unpaid'},
  {value: 'ON_HOLD', label: 'On hold'},
  {value: 'AWAITING_SHIPMENT', label: 'Awaiting shipment'},
  {value: 'PARTIALLY_SHIPPING', label: 'Partially shipping'},
  {value: 'AWAITING_COLLECTION', label: 'Awaiting collection'},
  {value: 'IN_TRANSIT', label: 'In transit'},
  {value: 'DELIVERED', label: 'Delivered'},
  {value: 'COMPLETED', label: 'Completed'},
  {value: 'CANCELLED', label: 'Cancelled'},
];

export function tiktokStatusLabel(value: string): string {
  return TIKTOK_STATUSES.find((s) => s.value === value)?.label ?? value;
}

/** Money in its own currency, as the merchant's browser writes it. */
export function formatMoney(amount: string | null | undefined, currency: string | null | undefined): string {
  if (amount == null) return '—';
  const value = Number(amount);
  if (!currency || Number.isNaN(value)) return amount;
  try {
    return new Intl.NumberFormat(undefined, {style: 'currency', currency}).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}
