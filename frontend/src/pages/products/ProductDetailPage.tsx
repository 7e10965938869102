// Product detail: what TikTok will receive (prices and stock after the rules), each problem with
// its fix, TikTok's review, the sync history; actions Sync (→ manual sync form), Retry, Exclude /
// Include. Heading = the product's title, back to Products.
import {Banner, BlockStack, Card, Layout, Page, Text} from '@shopify/polaris';
import {useQuery} from '@tanstack/react-query';
import {useState} from 'react';
import {useNavigate, useParams} from 'react-router-dom';

import {api, ApiError, unwrap} from '../../api/client';
import {ErrorBanner, PageSkeleton, WithConnection, errorMessage} from '../../components/states';
import type {Connection} from '../../shell/connection';
import {useAdminLoading, useToast} from '../../shell/feedback';
import {AuditCard, HistoryCard, ProblemsCard, ReceiveCard} from './productDetailCards';
import {actionMessage, formatDate, type ProductAction, ProductBadges, syncUrl, useProductAction} from './productUi';

export default function ProductDetailPage() {
  return <WithConnection title="Product">{(connection) => <ProductDetail connection={connection} />}</WithConnection>;
}

const BACK = {content: 'Products', url: '/products'};

function Fact({label, value}: {label: string; value: string}) {
  return (
    <BlockStack gap="050">
      <Text as="p" fontWeight="semibold">
        {label}
      </Text>
      <Text as="p" breakWord>
        {value}
      </Text>
    </BlockStack>
  );
}

function ProductDetail({connection}: {connection: Connection}) {
  const navigate = useNavigate();
  const toast = useToast();
  const productId = Number(useParams().productId);
  const valid = Number.isInteger(productId) && productId > 0;
  const path = {connection_id: connection.id, product_id: productId};
  const [actionError, setActionError] = useState<unknown>(null);

  const detail = useQuery({
    queryKey: ['products', connection.id, 'detail', productId],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/products/{product_id}', {params: {path}})),
    enabled: valid,
  });
  const preview = useQuery({
    queryKey: ['products', connection.id, 'preview', productId],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/products/{product_id}/preview', {params: {path}})),
    enabled: valid,
  });
  const currency = useQuery({
    queryKey: ['settings', connection.id, 'product'],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/settings/product', {params: {path: {connection_id: connection.id}}})),
  });
  const action = useProductAction(connection.id);
  useAdminLoading(detail.isFetching || preview.isFetching);

  if (!valid || (detail.error instanceof ApiError && detail.error.status === 404)) {
    return (
      <Page title="Product not found" backAction={BACK}>
        <Banner tone="warning" title="This product is not in your shop">
          <p>It may have been deleted in Shopify. Go back to Products to pick another one.</p>
        </Banner>
      </Page>
    );
  }
  if (detail.isPending) return <PageSkeleton title="Product" />;
  if (detail.isError) {
    return (
      <Page title="Product" backAction={BACK}>
        <ErrorBanner error={detail.error} onRetry={() => void detail.refetch()} />
      </Page>
    );
  }

  const product = detail.data;
  const run = (kind: ProductAction) => {
    setActionError(null);
    action.mutate(
      {action: kind, ids: [product.id]},
      {onSuccess: (result) => toast(actionMessage(result)), onError: (error) => setActionError(error)},
    );
  };
  const secondary = [
    ...(product.status.can_retry ? [{content: 'Retry', onAction: () => run('retry'), loading: action.isPending}] : []),
    product.excluded
      ? {content: 'Include in sync', onAction: () => run('include'), disabled: action.isPending}
      : {content: 'Exclude from sync', onAction: () => run('exclude'), disabled: action.isPending},
  ];

  return (
    <Page
      title={product.title}
      backAction={BACK}
      titleMetadata={<ProductBadges status={product.status} excluded={product.excluded} />}
      primaryAction={{content: 'Sync', onAction: () => navigate(syncUrl([product.id]))}}
      secondaryActions={secondary}
    >
      <Layout>
        {actionError ? (
          <Layout.Section>
            <Banner tone="critical" title="The action did not go through" onDismiss={() => setActionError(null)}>
              <p>{errorMessage(actionError)}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {product.excluded ? (
          <Layout.Section>
            <Banner tone="info" title="Excluded from automatic sync">
              <p>Templates and the periodic check leave this product alone. You can still sync it by hand.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {product.status.error ? (
          <Layout.Section>
            <Banner tone="critical" title={product.status.label}>
              <p>{product.status.error.message}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            {preview.isError ? <ErrorBanner error={preview.error} onRetry={() => void preview.refetch()} title="The preview could not be built" /> : null}
            {preview.isPending ? <PageSkeleton title="" /> : null}
            {preview.data ? <ProblemsCard preview={preview.data} /> : null}
            {preview.data ? <ReceiveCard preview={preview.data} storeCurrency={currency.data?.store_currency ?? 'USD'} /> : null}
            <HistoryCard connectionId={connection.id} productId={product.id} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {preview.data ? <AuditCard audit={preview.data.audit} /> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Details
                </Text>
                <BlockStack gap="200">
                  <Fact label="Shopify status" value={product.shopify_status.toLowerCase()} />
                  <Fact label="TikTok product ID" value={product.tiktok_product_id ?? 'Not on TikTok yet'} />
                  <Fact label="Last synced" value={formatDate(product.status.last_synced_at)} />
                  <Fact label="Template" value={product.template_name ?? 'None'} />
                  <Fact label="Vendor" value={product.vendor ?? '—'} />
                  <Fact label="Product type" value={product.product_type ?? '—'} />
                  <Fact label="Collections" value={product.collections.map((c) => c.label).join(', ') || '—'} />
                </BlockStack>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
