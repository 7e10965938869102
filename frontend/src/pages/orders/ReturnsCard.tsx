// Returns and refunds of the selected connection on the Orders page: TikTok return/refund and
// cancellation requests with their state badge, the refund amount, the Shopify refund the sync
// made (or why it failed), guidance, and Approve / Reject (a Modal with TikTok's own reject
// reasons in a Select). Refunds made in Shopify for TikTok orders are listed with guidance.
import {Badge, BlockStack, Button, ButtonGroup, Card, IndexTable, InlineStack, Modal, Select, Text, TextField} from '@shopify/polaris';
import {useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {ErrorBanner, errorMessage} from '../../components/states';
import type {Connection} from '../../shell/connection';
import {useToast} from '../../shell/feedback';
import {formatDate, formatMoney, SyncBadge} from './status';

export type AfterSale = components['schemas']['ReturnOut'];
type Tone = 'success' | 'warning' | 'critical' | 'attention' | 'info' | undefined;

/** Badge wording and tone per TikTok status (Search Returns / Search Cancellations values). */
const STATUS: Record<string, {label: string; tone: Tone}> = {
  RETURN_OR_REFUND_REQUEST_PENDING: {label: 'Awaiting your answer', tone: 'attention'},
  BUYER_SHIPPED_ITEM: {label: 'Buyer shipped it back', tone: 'attention'},
  AWAITING_BUYER_SHIP: {label: 'Awaiting buyer shipment', tone: 'info'},
  AWAITING_BUYER_RESPONSE: {label: 'Awaiting buyer response', tone: 'info'},
  REFUND_OR_RETURN_REQUEST_REJECT: {label: 'Rejected', tone: undefined},
  REJECT_RECEIVE_PACKAGE: {label: 'Package rejected', tone: undefined},
  RETURN_OR_REFUND_REQUEST_SUCCESS: {label: 'Refund approved', tone: 'success'},
  RETURN_OR_REFUND_REQUEST_COMPLETE: {label: 'Refunded', tone: 'success'},
  RETURN_OR_REFUND_REQUEST_CANCEL: {label: 'Withdrawn', tone: undefined},
  CANCELLATION_REQUEST_PENDING: {label: 'Awaiting your answer', tone: 'attention'},
  CANCELLATION_REQUEST_SUCCESS: {label: 'Cancellation approved', tone: 'success'},
  CANCELLATION_REQUEST_COMPLETE: {label: 'Cancelled', tone: 'success'},
  CANCELLATION_REQUEST_CANCELLED: {label: 'Cancellation rejected', tone: undefined},
  REFUNDED_IN_SHOPIFY: {label: 'Refunded in Shopify only', tone: 'warning'},
};
const REQUEST: Record<string, string> = {
  REFUND: 'Refund only',
  RETURN_AND_REFUND: 'Return and refund',
  REPLACEMENT: 'Replacement',
  CANCEL: 'Cancellation',
  SHOPIFY_REFUND: 'Shopify refund',
};

function StatusBadge({status}: {status: string}) {
  const s = STATUS[status] ?? {label: status, tone: undefined};
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

function RejectModal({request, connection, onClose}: {request: AfterSale; connection: Connection; onClose: () => void}) {
  const toast = useToast();
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const query = {connection_id: connection.id};
  const reasons = useQuery({
    queryKey: ['orders-returns-reasons', connection.id, request.id],
    queryFn: () => unwrap(api.GET('/api/returns/{request_id}/reject-reasons', {params: {path: {request_id: request.id}, query}})),
  });
  const reject = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/returns/{request_id}/reject', {params: {path: {request_id: request.id}, query}, body: {reason, comment: comment.trim() || null}})),
    onSuccess: () => {
      toast('Rejected on TikTok Shop');
      void client.invalidateQueries({queryKey: ['orders-returns', connection.id]});
      onClose();
    },
  });
  const options = (reasons.data?.reasons ?? []).map((r) => ({label: r.text, value: r.name}));
  return (
    <Modal
      open
      onClose={onClose}
      title={`Reject the ${REQUEST[request.request_type]?.toLowerCase() ?? 'request'} for order ${request.order_id}?`}
      primaryAction={{content: 'Reject', destructive: true, disabled: !reason, loading: reject.isPending, onAction: () => reject.mutate()}}
      secondaryActions={[{content: 'Cancel', onAction: onClose}]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          {reasons.error ? <ErrorBanner error={reasons.error} title="TikTok's reasons could not be loaded" /> : null}
          {reject.error ? <ErrorBanner error={reject.error} title="It could not be rejected" /> : null}
          <Select
            label="Reason"
            helpText="TikTok Shop only accepts one of its own reasons."
            placeholder={reasons.isLoading ? 'Loading reasons…' : 'Select a reason'}
            options={options}
            value={reason}
            onChange={setReason}
            disabled={reasons.isLoading}
          />
          <TextField label="Note" value={comment} onChange={setComment} multiline={3} maxLength={500} showCharacterCount autoComplete="off"
            helpText="Optional. Shown to TikTok with your decision." />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}

function Refund({r}: {r: AfterSale}) {
  if (r.kind === 'shopify_refund') return <Text as="span" tone="subdued">Made in Shopify</Text>;
  if (!r.refund_sync) return <SyncBadge status={null} />;
  return (
    <BlockStack gap="100" inlineAlign="start">
      <SyncBadge status={r.refund_sync} />
      {r.refund_error ? <Text as="span" tone="critical" breakWord>{r.refund_error}</Text> : null}
    </BlockStack>
  );
}

export function ReturnsCard({connection}: {connection: Connection}) {
  const toast = useToast();
  const client = useQueryClient();
  const [rejecting, setRejecting] = useState<AfterSale | null>(null);
  const query = {connection_id: connection.id};
  const returns = useQuery({
    queryKey: ['orders-returns', connection.id],
    queryFn: () => unwrap(api.GET('/api/returns', {params: {query: {...query, limit: 50}}})),
    refetchInterval: (q) => (q.state.data?.returns.some((r) => r.refund_sync === 'pending' || r.refund_sync === 'running') ? 1500 : false),
  });
  const approve = useMutation({
    mutationFn: (r: AfterSale) => unwrap(api.POST('/api/returns/{request_id}/approve', {params: {path: {request_id: r.id}, query}})),
    onSuccess: () => {
      toast('Approved on TikTok Shop');
      void client.invalidateQueries({queryKey: ['orders-returns', connection.id]});
    },
    onError: (error) => toast(errorMessage(error), {error: true}),
  });
  const rows = returns.data?.returns ?? [];
  return (
    <Card padding="0">
      <BlockStack gap="0">
        <div style={{padding: 'var(--p-space-400)'}}>
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">Returns and refunds</Text>
            <Text as="p" tone="subdued">Requests buyers made on TikTok Shop, and refunds of TikTok orders made in Shopify.</Text>
          </BlockStack>
        </div>
        {returns.error ? <ErrorBanner error={returns.error} onRetry={() => void returns.refetch()} title="Returns could not be loaded" /> : null}
        <IndexTable
          resourceName={{singular: 'return or refund', plural: 'returns and refunds'}}
          itemCount={rows.length}
          selectable={false}
          loading={returns.isFetching && !returns.isLoading}
          headings={[{title: 'Order'}, {title: 'Request'}, {title: 'Status'}, {title: 'Refund', alignment: 'end'}, {title: 'Shopify refund'}, {title: 'Action'}]}
          emptyState={<Text as="p" tone="subdued" alignment="center">No returns or refunds yet.</Text>}
        >
          {rows.map((r, i) => (
            <IndexTable.Row id={String(r.id)} key={r.id} position={i}>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span" fontWeight="semibold">{r.order_id}</Text>
                  <Text as="span" tone="subdued">{r.shopify_order_name ?? 'Not in Shopify'}</Text>
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span">{REQUEST[r.request_type] ?? r.request_type}</Text>
                  <Text as="span" tone="subdued" variant="bodySm">{[r.reason, formatDate(r.updated_at)].filter(Boolean).join(' · ')}</Text>
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <StatusBadge status={r.status} />
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>{formatMoney(r.refund_total, r.currency)}</Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Refund r={r} />
              </IndexTable.Cell>
              <IndexTable.Cell>
                <div style={{minWidth: '12rem', maxWidth: '22rem', whiteSpace: 'normal'}}>
                  <BlockStack gap="200" inlineAlign="start">
                    {r.actions.length ? (
                      <ButtonGroup>
                        <Button size="slim" variant="primary" loading={approve.isPending && approve.variables?.id === r.id}
                          onClick={() => approve.mutate(r)} accessibilityLabel={`Approve the request for order ${r.order_id}`}>
                          Approve
                        </Button>
                        <Button size="slim" tone="critical" onClick={() => setRejecting(r)} accessibilityLabel={`Reject the request for order ${r.order_id}`}>
                          Reject
                        </Button>
                      </ButtonGroup>
                    ) : null}
                    {r.guidance ? <Text as="p" tone="subdued" breakWord>{r.guidance}</Text> : null}
                    {!r.actions.length && !r.guidance ? <InlineStack><Text as="span" tone="subdued">—</Text></InlineStack> : null}
                  </BlockStack>
                </div>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </BlockStack>
      {rejecting ? <RejectModal request={rejecting} connection={connection} onClose={() => setRejecting(null)} /> : null}
    </Card>
  );
}
