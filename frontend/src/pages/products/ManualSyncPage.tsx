// Manual sync form (`/products/sync?ids=1,2,3`, from the Products list and a product's page):
// category (recommended first, search, browse), the category's attributes, brand and package
// for one or many products, a live pre-flight per product (the real checks, nothing sent to
// TikTok), then Sync. API field errors stay next to their fields; nothing typed is lost.
import {Banner, BlockStack, Layout, Page, PageActions, Text} from '@shopify/polaris';
import {keepPreviousData, useMutation, useQueries, useQuery} from '@tanstack/react-query';
import {useState} from 'react';
import {useNavigate, useSearchParams} from 'react-router-dom';

import {ApiError, api, unwrap} from '../../api/client';
import {CategoryCards} from '../../components/category/CategoryCards';
import {type CategoryValues, type WeightUnit, errorsOf, fieldErrors} from '../../components/category/model';
import {useAttributes, useRegion} from '../../components/category/queries';
import {useDebounced} from '../../hooks/useDebounced';
import {ErrorBanner, PageSkeleton, WithConnection, errorMessage} from '../../components/states';
import {useToast} from '../../shell/feedback';
import {PreflightCard} from './manualPreflight';
import {type ProductDetail, initialValues, parseIds, syncBody} from './manualSyncForm';

const BACK = {content: 'Products', url: '/products'};
const PER_PRODUCT = /^per_product\.\d+\./;

export default function ManualSyncPage() {
  const [params] = useSearchParams();
  const ids = parseIds(params.get('ids'));
  return (
    <WithConnection title="Manual sync">
      {(c) =>
        ids.length ? (
          <Loader key={`${c.id}:${ids.join(',')}`} connectionId={c.id} ids={ids} />
        ) : (
          <Page title="Manual sync" backAction={BACK}>
            <Banner tone="warning" title="No products chosen" action={{content: 'Choose products', url: '/products'}}>
              <p>Select the products to sync on the Products page, then choose Sync.</p>
            </Banner>
          </Page>
        )
      }
    </WithConnection>
  );
}

function Loader({connectionId, ids}: {connectionId: number; ids: number[]}) {
  const details = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['products', connectionId, 'detail', id],
      queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/products/{product_id}', {params: {path: {connection_id: connectionId, product_id: id}}})),
    })),
  });
  const region = useRegion(connectionId);
  if (details.some((d) => d.isLoading) || region.isLoading) return <PageSkeleton title="Manual sync" />;
  const failed = details.find((d) => d.error);
  const products = details.flatMap((d) => (d.data ? [d.data] : []));
  if (!products.length) {
    return (
      <Page title="Manual sync" backAction={BACK}>
        <ErrorBanner error={failed?.error} onRetry={() => details.forEach((d) => void d.refetch())} title="The products could not be loaded" />
      </Page>
    );
  }
  const unit = (region.data?.default_weight_unit as WeightUnit | undefined) ?? 'KILOGRAM';
  return <ManualSyncForm connectionId={connectionId} products={products} missing={ids.length - products.length} defaultUnit={unit} />;
}

interface FormProps {
  connectionId: number;
  products: ProductDetail[];
  missing: number;
  defaultUnit: WeightUnit;
}

function ManualSyncForm({connectionId, products, missing, defaultUnit}: FormProps) {
  const navigate = useNavigate();
  const toast = useToast();
  const [values, setValues] = useState<CategoryValues>(() => initialValues(products, defaultUnit));
  const defs = useAttributes(connectionId, values.category?.id).data;
  const body = syncBody(products, values, defs);
  const settled = useDebounced(body, 400);
  const preflight = useQuery({
    queryKey: ['products', connectionId, 'preflight', settled],
    queryFn: () => unwrap(api.POST('/api/connections/{connection_id}/products/sync/preflight', {params: {path: {connection_id: connectionId}}, body: settled})),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const recommended = useQuery({
    queryKey: ['products', connectionId, 'recommended', products[0].id],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/products/{product_id}/recommended-categories', {
        params: {path: {connection_id: connectionId, product_id: products[0].id}, query: {limit: 5}},
      })),
    staleTime: 60_000,
  });
  const sync = useMutation({
    mutationFn: () => unwrap(api.POST('/api/connections/{connection_id}/products/sync', {params: {path: {connection_id: connectionId}}, body})),
    onSuccess: (out) => {
      if (out.refused === 0) {
        toast(out.queued === 1 ? 'Product queued for sync' : `${out.queued} products queued for sync`);
        navigate('/products');
      }
    },
  });

  // Field errors: a refused submit's 422, else the live pre-flight (its 422 or its problems).
  const results = sync.data?.refused ? sync.data.results : preflight.data?.results;
  const problems = fieldErrors(results?.flatMap((r) => r.errors));
  const errors = {...problems, ...errorsOf(preflight.error, PER_PRODUCT), ...errorsOf(sync.error, PER_PRODUCT)};
  const ready = results?.filter((r) => r.queued).length ?? 0;
  const many = products.length > 1;
  const submitError = sync.error && !(sync.error instanceof ApiError && sync.error.fields.length) ? sync.error : null;

  return (
    <Page
      title="Manual sync"
      subtitle={many ? `${products.length} products` : products[0].title}
      backAction={BACK}
      primaryAction={{content: many ? `Sync ${products.length} products` : 'Sync product', onAction: () => sync.mutate(), loading: sync.isPending}}
    >
      <Layout>
        {missing || submitError || sync.data?.refused ? (
          <Layout.Section>
            <BlockStack gap="300">
              {missing ? (
                <Banner tone="warning" title={`${missing} of the chosen products could not be found`}>
                  <p>They were deleted or belong to another shop; the others are below.</p>
                </Banner>
              ) : null}
              {submitError ? <ErrorBanner error={submitError} title="The products were not synced" /> : null}
              {sync.data?.refused ? (
                <Banner tone="warning" title={`${sync.data.queued} queued, ${sync.data.refused} not synced`}>
                  <p>Fix what is listed for each product below, then sync again.</p>
                </Banner>
              ) : null}
            </BlockStack>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <CategoryCards
            connectionId={connectionId}
            values={values}
            onChange={(patch) => setValues((v) => ({...v, ...patch}))}
            errors={errors}
            recommended={recommended.data}
            categoryHelp={
              many ? (
                <Text as="p" tone="subdued">
                  Applies to all {products.length} products. Leave it empty to keep each product&apos;s own category (from its template or an
                  earlier manual sync).
                </Text>
              ) : undefined
            }
            weightHelp={many ? 'Leave empty to keep each product’s weight.' : 'Leave empty to use the variant weights from Shopify.'}
            complianceHelp="Fields left empty keep what the product’s category template gives it."
          />
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <PreflightCard
            products={products}
            results={results}
            checking={preflight.isFetching}
            error={preflight.error instanceof ApiError && preflight.error.fields.length ? null : preflight.error}
            ready={ready}
          />
        </Layout.Section>
        <Layout.Section>
          <PageActions
            primaryAction={{content: many ? `Sync ${products.length} products` : 'Sync product', onAction: () => sync.mutate(), loading: sync.isPending}}
            secondaryActions={[{content: 'Cancel', url: '/products'}]}
          />
          {sync.isError && !submitError ? (
            <Text as="p" tone="critical">
              {errorMessage(sync.error)} Fix the fields marked in red.
            </Text>
          ) : null}
        </Layout.Section>
      </Layout>
    </Page>
  );
}


