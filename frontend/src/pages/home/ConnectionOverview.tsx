// One TikTok connection on Home: counts by status of products, orders and fulfillments, and its
// health (token expiry, last successful sync with TikTok, last webhook received).
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  InlineGrid,
  InlineStack,
  Text,
  type BadgeProps,
} from '@shopify/polaris';

import type {components} from '../../api/schema';
import {regionName} from '../../shell/connection';
import {STATUS_LABELS} from '../products/productListState';
import {dateTime, timeAgo} from './format';

type ConnectionHome = components['schemas']['ConnectionHomeOut'];
type Health = components['schemas']['HealthOut'];
type Tone = BadgeProps['tone'];

interface Metric {
  key: string;
  label: string;
  tone?: Tone;
}

const PRODUCT_METRICS: Metric[] = [
  {key: 'synced', label: STATUS_LABELS.synced, tone: 'success'},
  {key: 'syncing', label: STATUS_LABELS.syncing, tone: 'info'},
  {key: 'failed', label: STATUS_LABELS.failed, tone: 'critical'},
  {key: 'review_failed', label: STATUS_LABELS.review_failed, tone: 'warning'},
  {key: 'not_synced', label: STATUS_LABELS.not_synced},
  {key: 'not_listable', label: STATUS_LABELS.not_listable},
];
const ORDER_METRICS: Metric[] = [
  {key: 'synced', label: 'Synced', tone: 'success'},
  {key: 'syncing', label: 'Syncing', tone: 'info'},
  {key: 'failed', label: 'Failed', tone: 'critical'},
  {key: 'not_synced', label: 'Not synced'},
  {key: 'waiting', label: 'Not shippable yet'},
];
const FULFILLMENT_METRICS: Metric[] = [
  {key: 'to_tiktok', label: 'Tracking sent to TikTok', tone: 'success'},
  {key: 'to_shopify', label: 'Shipments from TikTok', tone: 'success'},
  {key: 'syncing', label: 'Syncing', tone: 'info'},
  {key: 'failed', label: 'Failed', tone: 'critical'},
];

function Counts({title, total, counts, metrics, url, linkLabel}: {
  title: string;
  total?: number;
  counts: Record<string, number>;
  metrics: Metric[];
  url: string;
  linkLabel: string;
}) {
  return (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {title}
          </Text>
          {total !== undefined ? <Text as="span" tone="subdued">{`${total} in all`}</Text> : null}
        </InlineStack>
        <BlockStack gap="100">
          {metrics.map((m) => (
            <InlineStack key={m.key} align="space-between" blockAlign="center">
              <Badge tone={(counts[m.key] ?? 0) > 0 ? m.tone : undefined}>{m.label}</Badge>
              <Text as="span" variant="bodyMd" fontWeight="semibold" numeric>
                {String(counts[m.key] ?? 0)}
              </Text>
            </InlineStack>
          ))}
        </BlockStack>
        <Box>
          <Button variant="plain" url={url}>
            {linkLabel}
          </Button>
        </Box>
      </BlockStack>
    </Box>
  );
}

const TOKEN_BADGE: Record<string, {tone: Tone; label: string}> = {
  ok: {tone: 'success', label: 'Authorized'},
  expiring: {tone: 'warning', label: 'Authorization expiring'},
  expired: {tone: 'critical', label: 'Authorization expired'},
  disconnected: {tone: 'critical', label: 'Disconnected'},
};

export function HealthList({health}: {health: Health}) {
  const token = TOKEN_BADGE[health.token_state] ?? TOKEN_BADGE.ok;
  const rows: [string, string][] = [
    health.disconnected_at
      ? ['Disconnected', timeAgo(health.disconnected_at)]
      : ['Authorization valid until', dateTime(health.refresh_token_expires_at, 'Unknown')],
    ['Last successful sync with TikTok', timeAgo(health.last_success_at)],
    ['Last webhook from TikTok', timeAgo(health.last_webhook_at)],
    ['Failed syncs waiting for a fix', String(health.failing)],
  ];
  return (
    <BlockStack gap="150">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" fontWeight="semibold">
          Connection
        </Text>
        <Badge tone={token.tone}>{token.label}</Badge>
      </InlineStack>
      {rows.map(([label, value]) => (
        <InlineStack key={label} gap="200" align="space-between">
          <Text as="span" tone="subdued">
            {label}
          </Text>
          <Text as="span">{value}</Text>
        </InlineStack>
      ))}
    </BlockStack>
  );
}

export function ConnectionOverview({connection}: {connection: ConnectionHome}) {
  const {counts} = connection;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingMd">
            {`${connection.name ?? connection.tiktok_shop_id} — ${regionName(connection.region)}`}
          </Text>
          {connection.connected ? null : <Badge tone="critical">Disconnected</Badge>}
        </InlineStack>
        <InlineGrid columns={{xs: 1, md: 3}} gap="300">
          <Counts
            title="Products"
            total={counts.products.total}
            counts={counts.products}
            metrics={PRODUCT_METRICS}
            url="/products"
            linkLabel="View products"
          />
          <Counts
            title="Orders"
            total={counts.orders.total}
            counts={counts.orders}
            metrics={ORDER_METRICS}
            url="/orders"
            linkLabel="View orders"
          />
          <Counts
            title="Fulfillments"
            counts={counts.fulfillments}
            metrics={FULFILLMENT_METRICS}
            url="/orders"
            linkLabel="View shipments"
          />
        </InlineGrid>
        <HealthList health={connection.health} />
      </BlockStack>
    </Card>
  );
}
