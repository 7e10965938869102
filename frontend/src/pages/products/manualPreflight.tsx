// The Manual sync form's pre-flight panel: per product, Ready or what stops it, each problem
// with its field and how to fix it (from the real pre-flight checks, live as the form changes).
import {Badge, BlockStack, Card, Divider, InlineStack, Link, SkeletonBodyText, Text} from '@shopify/polaris';
import {Fragment} from 'react';

import type {components} from '../../api/schema';
import {ProblemList} from '../../components/problems';
import {ErrorBanner} from '../../components/states';
import type {ProductDetail} from './manualSyncForm';

type Result = components['schemas']['SyncResult'];

interface Props {
  products: ProductDetail[];
  results: Result[] | undefined;
  checking: boolean;
  error: unknown;
  ready: number;
}

export function PreflightCard({products, results, checking, error, ready}: Props) {
  const byId = new Map((results ?? []).map((r) => [r.product_id, r]));
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Pre-flight
          </Text>
          {results ? (
            <Badge tone={ready === products.length ? 'success' : 'critical'}>{`${ready} of ${products.length} ready`}</Badge>
          ) : null}
        </InlineStack>
        <Text as="p" tone="subdued" aria-live="polite">
          {checking ? 'Checking with your changes…' : 'What TikTok would refuse, checked before anything is sent.'}
        </Text>
        {error ? <ErrorBanner error={error} title="The check could not run" /> : null}
        {products.map((p, i) => {
          const r = byId.get(p.id);
          return (
            <Fragment key={p.id}>
              {i ? <Divider /> : null}
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
                  <Link url={`/products/${p.id}`}>{p.title}</Link>
                  {!r ? null : r.queued ? <Badge tone="success">Ready</Badge> : <Badge tone="critical">{`${r.errors.length} to fix`}</Badge>}
                </InlineStack>
                {!r ? (
                  <SkeletonBodyText lines={1} />
                ) : r.errors.length ? (
                  <ProblemList problems={r.errors} />
                ) : null}
              </BlockStack>
            </Fragment>
          );
        })}
      </BlockStack>
    </Card>
  );
}
