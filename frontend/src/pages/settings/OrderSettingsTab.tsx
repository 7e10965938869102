// Settings › Orders: auto sync, backfill window, Shopify order number format, extra tags, and
// what a cancellation or a refund does on either side.
import {
  BlockStack,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineError,
  InlineStack,
  Layout,
  Tag,
  TextField,
} from '@shopify/polaris';
import {useCallback, useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {ErrorBanner} from '../../components/states';
import type {Connection} from '../../shell/connection';
import {SettingsLayout, TabSkeleton} from './SaveError';
import {numberOrRaw, savedWithQueued, useSettingsForm} from './useSettingsForm';

/** What GET answers (OrderSettings) and PUT answers (…Out: plus how many it queued). */
type Saved = components['schemas']['OrderSettings'] & {queued?: number};

interface Draft {
  auto_sync: boolean;
  backfill_days: string;
  tags: string[];
  mode: 'shopify' | 'tiktok';
  prefix: string;
  suffix: string;
  restock_on_cancel: boolean;
  restock_on_refund: boolean;
  cancel_on_tiktok: boolean;
}

function toDraft(s: Saved): Draft {
  return {
    auto_sync: s.auto_sync,
    backfill_days: String(s.backfill_days),
    tags: [...(s.tags ?? [])],
    mode: s.order_number?.mode ?? 'shopify',
    prefix: s.order_number?.prefix ?? 'TT-',
    suffix: s.order_number?.suffix ?? '',
    restock_on_cancel: s.restock_on_cancel,
    restock_on_refund: s.restock_on_refund,
    cancel_on_tiktok: s.cancel_on_tiktok,
  };
}

function toBody(d: Draft): components['schemas']['OrderSettings'] {
  return {
    auto_sync: d.auto_sync,
    backfill_days: numberOrRaw(d.backfill_days) ?? 0,
    tags: d.tags,
    order_number: {mode: d.mode, prefix: d.prefix, suffix: d.suffix},
    restock_on_cancel: d.restock_on_cancel,
    restock_on_refund: d.restock_on_refund,
    cancel_on_tiktok: d.cancel_on_tiktok,
  };
}

export function OrderSettingsTab({connection, onDirtyChange}: {connection: Connection; onDirtyChange: (d: boolean) => void}) {
  const query = {connection_id: connection.id};
  const form = useSettingsForm<Saved, Draft>({
    queryKey: ['settings', 'orders', connection.id],
    load: useCallback(() => unwrap(api.GET('/api/settings/orders', {params: {query}})), [connection.id]),
    save: (d) => unwrap(api.PUT('/api/settings/orders', {params: {query}, body: toBody(d)})),
    toDraft,
    onDirtyChange,
    savedMessage: (saved) => savedWithQueued('Order settings saved', saved.queued ?? 0, 'order'),
  });
  const [newTag, setNewTag] = useState('');
  if (form.isLoading) return <TabSkeleton />;
  if (form.loadError || !form.draft) return <ErrorBanner error={form.loadError} onRetry={form.refetch} />;
  const d = form.draft;
  const set = form.field;
  const err = form.fieldError;
  const addTag = () => {
    const tag = newTag.trim();
    if (tag && !d.tags.includes(tag)) set('tags')([...d.tags, tag]);
    setNewTag('');
  };
  const tagError = form.fieldError('tags', true);
  return (
    <SettingsLayout id="order-settings" form={form}>
      <Layout.AnnotatedSection title="Order sync" description="TikTok orders that are ready to ship become Shopify orders.">
        <Card>
          <FormLayout>
            <Checkbox
              label="Sync new TikTok orders automatically"
              helpText="Turning it on also queues the orders that are not synced yet."
              checked={d.auto_sync}
              onChange={set('auto_sync')}
              error={err('auto_sync')}
            />
            <TextField
              label="Fetch orders of the last (days) when connecting"
              type="number"
              value={d.backfill_days}
              onChange={set('backfill_days')}
              autoComplete="off"
              helpText="Between 0 and 60 days."
              error={err('backfill_days')}
            />
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Shopify orders" description="How imported orders are numbered and tagged.">
        <Card>
          <FormLayout>
            <ChoiceList
              title="Order number"
              choices={[
                {label: 'Shopify’s own numbering (#1001, #1002…)', value: 'shopify'},
                {label: 'The TikTok order id, with a prefix and suffix', value: 'tiktok'},
              ]}
              selected={[d.mode]}
              onChange={([v]) => set('mode')(v as Draft['mode'])}
              error={err('order_number.mode')}
            />
            {d.mode === 'tiktok' ? (
              <FormLayout.Group>
                <TextField label="Prefix" value={d.prefix} onChange={set('prefix')} autoComplete="off" error={err('order_number.prefix')} />
                <TextField label="Suffix" value={d.suffix} onChange={set('suffix')} autoComplete="off" error={err('order_number.suffix')} />
              </FormLayout.Group>
            ) : null}
            <BlockStack gap="200">
              <TextField
                label="Extra tags"
                value={newTag}
                onChange={setNewTag}
                autoComplete="off"
                helpText="Every imported order is tagged “TikTok Shop”; add more here."
                connectedRight={<Button onClick={addTag} disabled={!newTag.trim()}>Add tag</Button>}
              />
              {d.tags.length > 0 ? (
                <InlineStack gap="200">
                  {d.tags.map((tag) => (
                    <Tag key={tag} onRemove={() => set('tags')(d.tags.filter((t) => t !== tag))}>
                      {tag}
                    </Tag>
                  ))}
                </InlineStack>
              ) : null}
              {tagError ? <InlineError message={tagError} fieldID="tags" /> : null}
            </BlockStack>
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Cancellations" description="When an order is cancelled on one side.">
        <Card>
          <FormLayout>
            <Checkbox
              label="Restock items when a TikTok cancellation cancels the Shopify order"
              checked={d.restock_on_cancel}
              onChange={set('restock_on_cancel')}
              error={err('restock_on_cancel')}
            />
            <Checkbox
              label="Cancel the TikTok order when the Shopify order is cancelled (before it ships)"
              checked={d.cancel_on_tiktok}
              onChange={set('cancel_on_tiktok')}
              error={err('cancel_on_tiktok')}
            />
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Returns and refunds" description="When TikTok Shop refunds a buyer, the Shopify order gets the refund.">
        <Card>
          <FormLayout>
            <Checkbox
              label="Restock returned items when a TikTok refund is recorded in Shopify"
              helpText="Only items the buyer sends back are restocked; a refund-only request lets the buyer keep them."
              checked={d.restock_on_refund}
              onChange={set('restock_on_refund')}
              error={err('restock_on_refund')}
            />
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
    </SettingsLayout>
  );
}
