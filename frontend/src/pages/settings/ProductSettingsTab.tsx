// Settings › Products: which fields auto-update, the pricing rule (markup, rounding, compare-at,
// exchange rate), the inventory rule, and Shopify location ↔ TikTok warehouse mapping.
import {
  BlockStack,
  Card,
  ChoiceList,
  FormLayout,
  Layout,
  Select,
  Text,
  TextField,
} from '@shopify/polaris';
import {useQuery} from '@tanstack/react-query';
import {useCallback} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {ErrorBanner} from '../../components/states';
import type {Connection} from '../../shell/connection';
import {SettingsLayout, TabSkeleton} from './SaveError';
import {numberOrRaw, useSettingsForm} from './useSettingsForm';

type Saved = components['schemas']['ProductSettingsOut'];
type AutoField = components['schemas']['AutoField'];
type Body = components['schemas']['ProductSettingsIO'];

interface Draft {
  auto_update: AutoField[];
  markup_kind: 'none' | 'percent' | 'fixed';
  markup: string;
  rounding: components['schemas']['PriceRounding'];
  compare_at: components['schemas']['CompareAtMode'];
  exchange_rate: string;
  percent: string;
  reserve: string;
  out_of_stock_threshold: string;
  maximum: string;
  default_warehouse_id: string;
  warehouse_map: Record<string, string>;
  seller_type: Body['seller_type'];
}

const AUTO_FIELDS: {label: string; value: AutoField}[] = [
  {label: 'Title', value: 'title'},
  {label: 'Description', value: 'description'},
  {label: 'Images', value: 'images'},
  {label: 'Price', value: 'price'},
  {label: 'Inventory', value: 'inventory'},
  {label: 'Variants', value: 'variants'},
];

function toDraft(s: Saved): Draft {
  const price = s.price_rule!;
  const stock = s.inventory_rule!;
  return {
    auto_update: [...(s.auto_update ?? [])].sort(),
    markup_kind: price.markup_kind,
    markup: String(Number(price.markup)),
    rounding: price.rounding,
    compare_at: price.compare_at,
    exchange_rate: price.exchange_rate == null ? '' : String(Number(price.exchange_rate)),
    percent: String(Number(stock.percent)),
    reserve: String(stock.reserve),
    out_of_stock_threshold: String(stock.out_of_stock_threshold),
    maximum: stock.maximum == null ? '' : String(stock.maximum),
    default_warehouse_id: s.default_warehouse_id ?? '',
    warehouse_map: {...(s.warehouse_map ?? {})},
    seller_type: s.seller_type,
  };
}

function toBody(d: Draft): Body {
  return {
    auto_update: d.auto_update,
    price_rule: {
      markup_kind: d.markup_kind,
      markup: numberOrRaw(d.markup) ?? 0,
      rounding: d.rounding,
      compare_at: d.compare_at,
      exchange_rate: numberOrRaw(d.exchange_rate),
    },
    inventory_rule: {
      percent: numberOrRaw(d.percent) ?? 100,
      reserve: numberOrRaw(d.reserve) ?? 0,
      out_of_stock_threshold: numberOrRaw(d.out_of_stock_threshold) ?? 0,
      maximum: numberOrRaw(d.maximum),
    },
    default_warehouse_id: d.default_warehouse_id || null,
    warehouse_map: Object.fromEntries(Object.entries(d.warehouse_map).filter(([, w]) => w)),
    seller_type: d.seller_type,
  };
}

export function ProductSettingsTab({connection, onDirtyChange}: {connection: Connection; onDirtyChange: (d: boolean) => void}) {
  const path = {connection_id: connection.id};
  const form = useSettingsForm<Saved, Draft>({
    queryKey: ['settings', 'product', connection.id],
    load: useCallback(() => unwrap(api.GET('/api/connections/{connection_id}/settings/product', {params: {path}})), [connection.id]),
    save: (d) => unwrap(api.PUT('/api/connections/{connection_id}/settings/product', {params: {path}, body: toBody(d)})),
    toDraft,
    onDirtyChange,
    savedMessage: 'Product settings saved',
  });
  const warehouses = useQuery({
    queryKey: ['tiktok', 'warehouses', connection.id],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/tiktok/warehouses', {params: {path}})),
    staleTime: 300_000,
  });
  if (form.isLoading) return <TabSkeleton />;
  if (form.loadError || !form.draft || !form.saved) return <ErrorBanner error={form.loadError} onRetry={form.refetch} />;
  const d = form.draft;
  const set = form.field;
  const err = form.fieldError;
  const sales = (warehouses.data ?? []).filter((w) => w.type !== 'RETURN_WAREHOUSE');
  const warehouseOptions = [
    {label: 'Not set', value: ''},
    ...sales.map((w) => ({label: `${w.name ?? w.id}${w.is_default ? ' (default)' : ''}`, value: w.id})),
  ];
  const locations = [...new Set([...form.saved.known_locations, ...Object.keys(d.warehouse_map)])];
  const currencies = form.saved.store_currency !== form.saved.tiktok_currency;
  return (
    <SettingsLayout id="product-settings" form={form}>
      <Layout.AnnotatedSection title="Automatic updates" description="Changes in Shopify to these fields are pushed to TikTok Shop by themselves.">
        <Card>
          <ChoiceList
            title="Keep updated"
            allowMultiple
            choices={AUTO_FIELDS}
            selected={d.auto_update}
            onChange={(v) => set('auto_update')((v as AutoField[]).sort())}
            error={err('auto_update')}
          />
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Pricing" description={`Your store sells in ${form.saved.store_currency}; TikTok Shop ${connection.region} in ${form.saved.tiktok_currency}.`}>
        <Card>
          <FormLayout>
            <FormLayout.Group>
              <Select
                label="Markup"
                options={[
                  {label: 'No markup', value: 'none'},
                  {label: 'Percentage', value: 'percent'},
                  {label: 'Fixed amount', value: 'fixed'},
                ]}
                value={d.markup_kind}
                onChange={(v) => set('markup_kind')(v as Draft['markup_kind'])}
                error={err('price_rule.markup_kind')}
              />
              <TextField
                label={d.markup_kind === 'fixed' ? `Markup (${form.saved.tiktok_currency})` : 'Markup (%)'}
                type="number"
                value={d.markup}
                onChange={set('markup')}
                autoComplete="off"
                disabled={d.markup_kind === 'none'}
                error={err('price_rule.markup')}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <Select
                label="Rounding"
                options={[
                  {label: 'No rounding', value: 'none'},
                  {label: 'End in .99', value: '99'},
                  {label: 'End in .95', value: '95'},
                  {label: 'Whole amount', value: 'whole'},
                ]}
                value={d.rounding}
                onChange={(v) => set('rounding')(v as Draft['rounding'])}
                error={err('price_rule.rounding')}
              />
              <Select
                label="Compare-at price"
                options={[
                  {label: 'Do not send', value: 'ignore'},
                  {label: 'Send as list price', value: 'list_price'},
                  {label: 'Use as the price when higher', value: 'as_price'},
                ]}
                value={d.compare_at}
                onChange={(v) => set('compare_at')(v as Draft['compare_at'])}
                error={err('price_rule.compare_at')}
              />
            </FormLayout.Group>
            <TextField
              label={`Exchange rate (${form.saved.tiktok_currency} per 1 ${form.saved.store_currency})`}
              type="number"
              value={d.exchange_rate}
              onChange={set('exchange_rate')}
              autoComplete="off"
              helpText={
                currencies
                  ? `The fallback: when a Shopify market sells in ${connection.region}, its ${form.saved.tiktok_currency} prices are used instead (Products shows the source).`
                  : 'Only needed when the currencies differ.'
              }
              error={err('price_rule.exchange_rate')}
            />
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Inventory" description="How much of your Shopify stock TikTok Shop may sell.">
        <Card>
          <FormLayout>
            <FormLayout.Group>
              <TextField label="Share of stock (%)" type="number" value={d.percent} onChange={set('percent')} autoComplete="off" error={err('inventory_rule.percent')} />
              <TextField label="Keep in reserve (units)" type="number" value={d.reserve} onChange={set('reserve')} autoComplete="off" error={err('inventory_rule.reserve')} />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField
                label="Out of stock at or below"
                type="number"
                value={d.out_of_stock_threshold}
                onChange={set('out_of_stock_threshold')}
                autoComplete="off"
                error={err('inventory_rule.out_of_stock_threshold')}
              />
              <TextField
                label="Never list more than"
                type="number"
                value={d.maximum}
                onChange={set('maximum')}
                autoComplete="off"
                helpText="Leave empty for no limit."
                error={err('inventory_rule.maximum')}
              />
            </FormLayout.Group>
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Warehouses" description="Which TikTok warehouse receives the stock of each Shopify location.">
        <Card>
          <BlockStack gap="300">
            {warehouses.error ? <ErrorBanner error={warehouses.error} title="TikTok's warehouses could not be loaded" onRetry={() => void warehouses.refetch()} /> : null}
            <Select
              label="Default warehouse"
              options={warehouseOptions}
              value={d.default_warehouse_id}
              onChange={set('default_warehouse_id')}
              error={err('default_warehouse_id')}
              disabled={warehouses.isLoading}
            />
            {locations.length === 0 ? (
              <Text as="p" tone="subdued">
                No Shopify location has stock yet.
              </Text>
            ) : (
              locations.map((loc) => (
                <Select
                  key={loc}
                  label={`Location ${loc.split('/').pop()}`}
                  options={warehouseOptions.map((o) => (o.value ? o : {...o, label: 'Default warehouse'}))}
                  value={d.warehouse_map[loc] ?? ''}
                  onChange={(v) => set('warehouse_map')({...d.warehouse_map, [loc]: v})}
                  error={err(`warehouse_map.${loc}`)}
                  disabled={warehouses.isLoading}
                />
              ))
            )}
          </BlockStack>
        </Card>
      </Layout.AnnotatedSection>
    </SettingsLayout>
  );
}
