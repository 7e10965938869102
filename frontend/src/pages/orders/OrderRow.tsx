// One order in the Orders IndexTable: ids, buyer, total, statuses, the Shopify order link, and
// each problem with its fix action (a condensed stacked layout on phones).
import {BlockStack, Box, Button, IndexTable, InlineStack, Link, Text} from '@shopify/polaris';
import type {MouseEvent, ReactNode} from 'react';

import type {components} from '../../api/schema';
import {isEmbedded} from '../../shell/embedded';
import {FULFILLMENT_LABELS, formatDate, formatMoney, SyncBadge, tiktokStatusLabel} from './status';

export type Order = components['schemas']['OrderOut'];
export type Problem = components['schemas']['ProblemOut'];

const WHERE: Record<string, string> = {order: 'Order', to_tiktok: 'Shopify → TikTok', to_shopify: 'TikTok → Shopify'};

/** Clicks inside (links, fix buttons) must not toggle the row's selection. */
function Stop({children}: {children: ReactNode}) {
  return <div onClick={(e: MouseEvent) => e.stopPropagation()}>{children}</div>;
}

function ShopifyOrder({order}: {order: Order}) {
  if (!order.shopify_order_url) {
    return <Text as="span" tone="subdued">Not in Shopify</Text>;
  }
  return (
    <Stop>
      <Link url={order.shopify_order_url} target={isEmbedded() ? '_top' : '_blank'} removeUnderline>
        {order.shopify_order_name ?? 'Open in Shopify'}
      </Link>
    </Stop>
  );
}

function Problems({order, onFix, busy}: {order: Order; onFix: (o: Order, p: Problem) => void; busy: boolean}) {
  if (!order.problems.length) return <Text as="span" tone="subdued">—</Text>;
  return (
    <Stop>
      <BlockStack gap="200">
        {order.problems.map((p, i) => (
          <BlockStack gap="100" key={`${p.where}-${i}`} inlineAlign="start">
            <Text as="p" tone="critical" breakWord>
              {order.problems.length > 1 || p.where !== 'order' ? `${WHERE[p.where]}: ` : ''}
              {p.message}
            </Text>
            <Button size="slim" onClick={() => onFix(order, p)} disabled={busy}
              accessibilityLabel={`${p.action.label} (order ${order.order_id})`}>
              {p.action.label}
            </Button>
          </BlockStack>
        ))}
      </BlockStack>
    </Stop>
  );
}

/** Fulfillment sync in each direction that applies (seller shipping: Shopify → TikTok; TikTok
 * shipping: TikTok → Shopify), each labelled with its direction. */
function Fulfillment({order}: {order: Order}) {
  const ways = [
    {label: WHERE.to_tiktok, state: order.fulfillment_to_tiktok, words: FULFILLMENT_LABELS.to_tiktok},
    {label: WHERE.to_shopify, state: order.fulfillment_to_shopify, words: FULFILLMENT_LABELS.to_shopify},
  ].filter((w) => w.state);
  if (!ways.length) return <SyncBadge status={null} />;
  return (
    <BlockStack gap="100">
      {ways.map((w) => (
        <BlockStack key={w.label} gap="050" inlineAlign="start">
          <Text as="span" tone="subdued" variant="bodySm">{w.label}</Text>
          <SyncBadge status={w.state?.status} labels={w.words} />
        </BlockStack>
      ))}
    </BlockStack>
  );
}

interface RowProps {
  order: Order;
  position: number;
  selected: boolean;
  condensed: boolean;
  busy: boolean;
  onFix: (o: Order, p: Problem) => void;
}

export function OrderRow({order, position, selected, condensed, busy, onFix}: RowProps) {
  const total = formatMoney(order.total, order.currency);
  if (condensed) {
    return (
      <IndexTable.Row id={order.order_id} position={position} selected={selected}>
        <Box padding="300">
        <BlockStack gap="100">
          <InlineStack align="space-between" gap="200">
            <Text as="span" fontWeight="semibold">{order.order_id}</Text>
            <Text as="span">{total}</Text>
          </InlineStack>
          <Text as="span" tone="subdued">
            {[order.buyer, tiktokStatusLabel(order.status), formatDate(order.created_at)].filter(Boolean).join(' · ')}
          </Text>
          <InlineStack gap="200">
            <SyncBadge status={order.order_sync.status} />
            <ShopifyOrder order={order} />
          </InlineStack>
          <Fulfillment order={order} />
          {order.problems.length ? <Problems order={order} onFix={onFix} busy={busy} /> : null}
        </BlockStack>
        </Box>
      </IndexTable.Row>
    );
  }
  return (
    <IndexTable.Row id={order.order_id} position={position} selected={selected}>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Text as="span" fontWeight="semibold">{order.order_id}</Text>
          <Text as="span" tone="subdued">{formatDate(order.created_at)}</Text>
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>{order.buyer ?? order.buyer_email ?? '—'}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>{total}</Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{tiktokStatusLabel(order.status)}</IndexTable.Cell>
      <IndexTable.Cell>
        <ShopifyOrder order={order} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <SyncBadge status={order.order_sync.status} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Fulfillment order={order} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{minWidth: '12rem', maxWidth: '22rem', whiteSpace: 'normal'}}>
          <Problems order={order} onFix={onFix} busy={busy} />
        </div>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

export const HEADINGS = [
  {title: 'Order'},
  {title: 'Buyer'},
  {title: 'Total', alignment: 'end' as const},
  {title: 'TikTok status'},
  {title: 'Shopify order'},
  {title: 'Order sync'},
  {title: 'Fulfillment sync'},
  {title: 'Problem'},
] as const;
