// Settings › Fulfillment: auto sync of shipments, and the carrier mapping (Shopify tracking
// company ↔ TikTok shipping provider) on top of the defaults matched from Shopify's list.
import {
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineGrid,
  Layout,
  List,
  Select,
  Text,
  TextField,
} from '@shopify/polaris';
import {DeleteIcon} from '@shopify/polaris-icons';
import {useQuery} from '@tanstack/react-query';
import {useCallback} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {ErrorBanner} from '../../components/states';
import type {Connection} from '../../shell/connection';
import {SettingsLayout, TabSkeleton} from './SaveError';
import {savedWithQueued, useSettingsForm} from './useSettingsForm';

/** What GET answers (FulfillmentSettings) and PUT answers (…Out: plus how many it queued). */
type Saved = components['schemas']['FulfillmentSettings'] & {queued?: number};
type Rule = components['schemas']['CarrierRule'];

interface Draft {
  auto_sync: boolean;
  carrier_rules: Rule[];
}

const toDraft = (s: Saved): Draft => ({auto_sync: s.auto_sync, carrier_rules: (s.carrier_rules ?? []).map((r) => ({...r}))});

function options(values: string[], current: string, placeholder: string) {
  const all = current && !values.includes(current) ? [current, ...values] : values;
  return [{label: placeholder, value: ''}, ...all.map((v) => ({label: v, value: v}))];
}

export function FulfillmentSettingsTab({connection, onDirtyChange}: {connection: Connection; onDirtyChange: (d: boolean) => void}) {
  const query = {connection_id: connection.id};
  const form = useSettingsForm<Saved, Draft>({
    queryKey: ['settings', 'fulfillment', connection.id],
    load: useCallback(() => unwrap(api.GET('/api/settings/fulfillment', {params: {query}})), [connection.id]),
    save: (d) => unwrap(api.PUT('/api/settings/fulfillment', {params: {query}, body: d})),
    toDraft,
    onDirtyChange,
    savedMessage: (saved) => savedWithQueued('Fulfillment settings saved', saved.queued ?? 0, 'fulfillment'),
  });
  const carriers = useQuery({
    queryKey: ['settings', 'carriers', connection.id],
    queryFn: () => unwrap(api.GET('/api/settings/fulfillment/carriers', {params: {query}})),
    staleTime: 300_000,
  });
  if (form.isLoading) return <TabSkeleton />;
  if (form.loadError || !form.draft) return <ErrorBanner error={form.loadError} onRetry={form.refetch} />;
  const d = form.draft;
  const setRules = (rules: Rule[]) => form.setDraft((x) => ({...x, carrier_rules: rules}));
  const setRule = (i: number, patch: Partial<Rule>) => setRules(d.carrier_rules.map((r, j) => (j === i ? {...r, ...patch} : r)));
  const companies = carriers.data?.shopify_companies ?? [];
  const providers = carriers.data?.tiktok_providers ?? [];
  const defaults = carriers.data?.default_rules ?? [];
  return (
    <SettingsLayout id="fulfillment-settings" form={form}>
      <Layout.AnnotatedSection title="Fulfillment sync" description="Tracking numbers travel to the platform that did not ship.">
        <Card>
          <Checkbox
            label="Sync fulfillments automatically"
            helpText="Seller-shipped orders send their tracking to TikTok; TikTok-shipped orders are fulfilled in Shopify."
            checked={d.auto_sync}
            onChange={(v) => form.setDraft((x) => ({...x, auto_sync: v}))}
            error={form.fieldError('auto_sync')}
          />
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection
        title="Carrier mapping"
        description="Your rules come first; carriers with the same name on both sides are matched by default."
      >
        <Card>
          <BlockStack gap="400">
            {carriers.error ? (
              <ErrorBanner error={carriers.error} title="Carrier lists could not be loaded" onRetry={() => void carriers.refetch()} />
            ) : null}
            {d.carrier_rules.length === 0 ? (
              <Text as="p" tone="subdued">
                No rules of your own: the default mapping applies.
              </Text>
            ) : null}
            {d.carrier_rules.map((rule, i) => (
              <InlineGrid key={i} columns={['twoThirds', 'twoThirds', 'oneThird']} gap="200" alignItems="end">
                <Select
                  label={`Shopify tracking company (rule ${i + 1})`}
                  options={options(companies, rule.shopify_company, 'Choose a company')}
                  value={rule.shopify_company}
                  onChange={(v) => setRule(i, {shopify_company: v})}
                  error={form.fieldError(`carrier_rules.${i}.shopify_company`)}
                />
                {providers.length > 0 ? (
                  <Select
                    label={`TikTok shipping provider (rule ${i + 1})`}
                    options={options(providers, rule.tiktok_provider, 'Choose a provider')}
                    value={rule.tiktok_provider}
                    onChange={(v) => setRule(i, {tiktok_provider: v})}
                    error={form.fieldError(`carrier_rules.${i}.tiktok_provider`)}
                  />
                ) : (
                  <TextField
                    label={`TikTok shipping provider (rule ${i + 1})`}
                    value={rule.tiktok_provider}
                    onChange={(v) => setRule(i, {tiktok_provider: v})}
                    autoComplete="off"
                    error={form.fieldError(`carrier_rules.${i}.tiktok_provider`)}
                  />
                )}
                <Box>
                  <Button icon={DeleteIcon} accessibilityLabel={`Remove rule ${i + 1}`} onClick={() => setRules(d.carrier_rules.filter((_, j) => j !== i))} />
                </Box>
              </InlineGrid>
            ))}
            <Box>
              <Button onClick={() => setRules([...d.carrier_rules, {shopify_company: '', tiktok_provider: ''}])}>Add carrier rule</Button>
            </Box>
            {defaults.length > 0 ? (
              <FormLayout>
                <Text as="h3" variant="headingSm">
                  Default mapping
                </Text>
                <List type="bullet">
                  {defaults.map((r) => (
                    <List.Item key={`${r.shopify_company}-${r.tiktok_provider}`}>{`${r.shopify_company} ↔ ${r.tiktok_provider}`}</List.Item>
                  ))}
                </List>
              </FormLayout>
            ) : null}
          </BlockStack>
        </Card>
      </Layout.AnnotatedSection>
    </SettingsLayout>
  );
}
