// The template editor's live side panel: the products the rules take right now (count + first
// ones), and the template checked against its TikTok category. Both follow the form as the
// merchant edits it (debounced), saved or not.
import {Badge, BlockStack, Card, InlineStack, Link, List, SkeletonBodyText, Text} from '@shopify/polaris';
import {keepPreviousData, useQuery} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {useDebounced} from '../../hooks/useDebounced';
import {ErrorBanner} from '../../components/states';
import {STATUS_LABELS, type StatusFilter} from '../products/productListState';
import {type TemplateForm, bodyOf} from './templateForm';

/** A sync_state status in the Products page's words (pending, running and backoff are all
 * "Syncing" there). */
function statusLabel(status: string): string {
  const badge = ['pending', 'running', 'backoff'].includes(status) ? 'syncing' : status;
  return STATUS_LABELS[badge as StatusFilter] ?? status;
}

export function TemplateBadges({active, isDefault}: {active: boolean; isDefault: boolean}) {
  return (
    <InlineStack gap="100">
      <Badge tone={active ? 'success' : undefined}>{active ? 'Active' : 'Inactive'}</Badge>
      {isDefault ? <Badge tone="info">Default</Badge> : null}
    </InlineStack>
  );
}

/** The draft's rules as the preview API takes them (rows without a value are skipped). */
function draftRules(templateId: number | null, form: TemplateForm) {
  return {
    template_id: templateId,
    selection_rules: form.rules.filter((r) => r.value.trim()).map((r) => ({field: r.field, op: r.op, value: r.value})),
    match_mode: form.matchMode,
    priority: Number(form.priority) >= 0 && Number(form.priority) <= 10000 ? Number(form.priority) : 0,
    is_default: form.isDefault,
    limit: 10,
  };
}

export function useDraftPreview(connectionId: number, templateId: number | null, form: TemplateForm) {
  const body = useDebounced(draftRules(templateId, form), 300);
  return useQuery({
    queryKey: ['templates', connectionId, 'draft-preview', body],
    queryFn: () => unwrap(api.POST('/api/connections/{connection_id}/templates/preview', {params: {path: {connection_id: connectionId}}, body})),
    placeholderData: keepPreviousData,
  });
}

export function useRecommended(connectionId: number, productId: number | undefined) {
  return useQuery({
    queryKey: ['products', connectionId, 'recommended', productId],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/products/{product_id}/recommended-categories', {
        params: {path: {connection_id: connectionId, product_id: productId ?? 0}, query: {limit: 5}},
      })),
    enabled: Boolean(productId),
    staleTime: 60_000,
  });
}

export function useTemplateCheck(connectionId: number, form: TemplateForm, names?: components['schemas']['AttributeOut'][]) {
  const body = useDebounced({...bodyOf(form, names), name: form.name.trim() || 'New template', selection_rules: []}, 400);
  return useQuery({
    queryKey: ['templates', connectionId, 'draft-check', body],
    queryFn: () => unwrap(api.POST('/api/connections/{connection_id}/templates/validation', {params: {path: {connection_id: connectionId}}, body})),
    enabled: Boolean(body.category_id),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function TemplatePreview({connectionId, templateId, form}: {connectionId: number; templateId: number | null; form: TemplateForm}) {
  const preview = useDraftPreview(connectionId, templateId, form);
  const data = preview.data;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Matching products
        </Text>
        {preview.error ? <ErrorBanner error={preview.error} onRetry={() => preview.refetch()} /> : null}
        {!data ? (
          <SkeletonBodyText lines={3} />
        ) : (
          <BlockStack gap="200">
            <p aria-live="polite">
              <Text as="span" variant="headingLg">
                {data.count}
              </Text>{' '}
              <Text as="span">{data.count === 1 ? 'product matches' : 'products match'}</Text>
            </p>
            <Text as="p" tone="subdued">
              {data.not_synced_count} not synced yet: activating the template syncs them. Higher-priority active templates keep the products they take.
            </Text>
            {data.products.length ? (
              <List>
                {data.products.map((p) => (
                  <List.Item key={p.id}>
                    <InlineStack gap="200" blockAlign="center">
                      <Link url={`/products/${p.id}`}>{p.title}</Link>
                      <Badge tone={p.status === 'synced' ? 'success' : undefined}>{statusLabel(p.status)}</Badge>
                    </InlineStack>
                  </List.Item>
                ))}
              </List>
            ) : null}
            {data.count > data.products.length ? (
              <Text as="p" tone="subdued">
                and {data.count - data.products.length} more.
              </Text>
            ) : null}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

export function TemplateCheck({connectionId, form, names}: {connectionId: number; form: TemplateForm; names?: components['schemas']['AttributeOut'][]}) {
  const check = useTemplateCheck(connectionId, form, names);
  const data = check.data;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          TikTok check
        </Text>
        {!form.cat.category ? (
          <Text as="p" tone="subdued">
            Choose a TikTok category to see what it requires.
          </Text>
        ) : check.error ? (
          <Text as="p" tone="subdued">
            Fix the fields marked in red to check the template.
          </Text>
        ) : !data ? (
          <SkeletonBodyText lines={2} />
        ) : data.valid ? (
          <InlineStack gap="200" blockAlign="center">
            <Badge tone="success">Ready</Badge>
            <Text as="span">The template has everything this category needs.</Text>
          </InlineStack>
        ) : (
          <BlockStack gap="200">
            <InlineStack>
              <Badge tone="critical">{`${data.errors.length} to fix`}</Badge>
            </InlineStack>
            <List>
              {data.errors.map((e) => (
                <List.Item key={e.field + e.message}>
                  {e.message} {e.fix ? <Text as="span" tone="subdued">{e.fix}</Text> : null}
                </List.Item>
              ))}
            </List>
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}
