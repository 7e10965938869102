// The cards of the Product detail page: problems with their fixes, TikTok's review, what TikTok
// will receive (from `GET …/products/{id}/preview`) and the sync history (paginated).
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  InlineStack,
  Pagination,
  SkeletonBodyText,
  Text,
  Thumbnail,
} from '@shopify/polaris';
import {keepPreviousData, useQuery} from '@tanstack/react-query';
import {useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {ProblemList, fieldLabel} from '../../components/problems';
import {ErrorBanner} from '../../components/states';
import {priceSourceLabel} from './PriceSource';
import {formatDate} from './productUi';

export type Preview = components['schemas']['ProductPreviewOut'];

/** Pre-flight result: every problem TikTok would refuse, field by field, with the fix. */
export function ProblemsCard({preview}: {preview: Preview}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Problems
        </Text>
        {preview.tiktok_error ? (
          <Banner tone="warning" title="TikTok's category data could not be read">
            <p>{preview.tiktok_error} The checks below do not include the category's rules.</p>
          </Banner>
        ) : null}
        {preview.problems.length ? (
          <Banner tone="critical" title={`${preview.problems.length} problem${preview.problems.length === 1 ? '' : 's'} would stop this product from syncing`}>
            <ProblemList problems={preview.problems} />
          </Banner>
        ) : (
          <Text as="p" tone="success">
            No problems found: TikTok should accept this product.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

const AUDIT_TEXT: Record<Preview['audit']['status'], string> = {
  not_listed: 'Not on TikTok yet: the review starts after the first sync.',
  in_review: 'TikTok is reviewing the listing.',
  failed: 'TikTok refused the listing.',
  no_problems: 'TikTok reported no problem with the listing.',
};

/** TikTok's audit of the listing and its reasons when it failed. */
export function AuditCard({audit}: {audit: Preview['audit']}) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            TikTok review
          </Text>
          {audit.status === 'failed' ? <Badge tone="warning">Review failed</Badge> : null}
          {audit.status === 'in_review' ? <Badge progress="incomplete">In review</Badge> : null}
        </InlineStack>
        <Text as="p">{AUDIT_TEXT[audit.status]}</Text>
        {audit.reasons.length ? <ProblemList problems={audit.reasons} /> : null}
      </BlockStack>
    </Card>
  );
}

/** Variants listed before "Show all" (a product may have up to 100). */
const VARIANTS_SHOWN = 20;

function money(value: string | null, currency: string): string {
  if (value === null) return '—';
  try {
    return new Intl.NumberFormat(undefined, {style: 'currency', currency}).format(Number(value));
  } catch {
    return `${value} ${currency}`;
  }
}

/** Title, description, images, package and, per variant, price and stock after the rules. */
export function ReceiveCard({preview, storeCurrency}: {preview: Preview; storeCurrency: string}) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? preview.variants : preview.variants.slice(0, VARIANTS_SHOWN);
  // Where the prices start from (the Markets price, the store price or the rate), per variant.
  const sources = [...new Set(preview.variants.map((v) => priceSourceLabel(v.price_source)))];
  const rows = shown.map((v) => [
    v.title,
    v.sku ?? '—',
    money(v.shopify_price, storeCurrency),
    money(v.price, preview.currency),
    v.shopify_stock,
    v.stock,
  ]);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          What TikTok will receive
        </Text>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            Title
          </Text>
          <Text as="p">{preview.title}</Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            Category
          </Text>
          <Text as="p">
            {preview.category_id
              ? `${preview.category_name ?? preview.category_id}${preview.source === 'template' ? ` (from template “${preview.template_name}”)` : ' (chosen in manual sync)'}`
              : 'No category yet'}
            {preview.package_weight ? ` · Package weight ${preview.package_weight}` : ''}
          </Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            Images ({preview.images.length})
          </Text>
          <InlineStack gap="200">
            {preview.images.map((url, i) => (
              <Thumbnail key={url} source={url} alt={`Image ${i + 1}`} size="medium" />
            ))}
          </InlineStack>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            Description
          </Text>
          <Box padding="300" background="bg-surface-secondary" borderRadius="200" maxWidth="100%" overflowX="scroll">
            {/* HTML from our own sanitizer (what TikTok accepts: no scripts, no styles). */}
            <div dangerouslySetInnerHTML={{__html: preview.description_html}} />
          </Box>
        </BlockStack>
        {preview.price_error ? (
          <Banner tone="warning" title="Some prices cannot be computed">
            <p>{preview.price_error}</p>
          </Banner>
        ) : null}
        {sources.length ? (
          <Text as="p" tone="subdued">
            TikTok prices ({preview.currency}) from: {sources.join(', ')}
          </Text>
        ) : null}
        <DataTable
          columnContentTypes={['text', 'text', 'numeric', 'numeric', 'numeric', 'numeric']}
          headings={['Variant', 'SKU', 'Shopify price', 'TikTok price', 'Shopify stock', 'TikTok stock']}
          rows={rows}
        />
        {preview.variants.length > VARIANTS_SHOWN ? (
          <InlineStack align="center">
            <Button variant="plain" onClick={() => setShowAll(!showAll)}>
              {showAll ? `Show the first ${VARIANTS_SHOWN} variants` : `Show all ${preview.variants.length} variants`}
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

const HISTORY_PAGE = 10;

const STATUS_TONE: Record<string, 'success' | 'critical' | 'info' | undefined> = {
  synced: 'success',
  failed: 'critical',
  received: 'info',
};

/** The product's activity rows, newest first, paginated on the server. */
export function HistoryCard({connectionId, productId}: {connectionId: number; productId: number}) {
  const [page, setPage] = useState(1);
  const history = useQuery({
    queryKey: ['products', connectionId, 'history', productId, page],
    queryFn: () =>
      unwrap(
        api.GET('/api/connections/{connection_id}/products/{product_id}/history', {
          params: {path: {connection_id: connectionId, product_id: productId}, query: {page, page_size: HISTORY_PAGE}},
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const items = history.data?.items ?? [];
  const total = history.data?.total ?? 0;
  return (
    <Card padding="0">
      <Box padding="400">
        <Text as="h2" variant="headingMd">
          Sync history
        </Text>
      </Box>
      {history.isError ? (
        <Box padding="400">
          <ErrorBanner error={history.error} onRetry={() => void history.refetch()} />
        </Box>
      ) : null}
      {history.isPending ? (
        <Box padding="400">
          <SkeletonBodyText lines={3} />
        </Box>
      ) : null}
      {history.data && !items.length ? (
        <Box padding="400">
          <Text as="p" tone="subdued">
            Nothing has happened to this product yet.
          </Text>
        </Box>
      ) : null}
      <BlockStack as="ul">
        {items.map((row) => (
          <Box as="li" key={row.id} padding="400" borderBlockStartWidth="025" borderColor="border">
            <BlockStack gap="100">
              <InlineStack gap="200" blockAlign="center">
                <Badge tone={STATUS_TONE[row.status]}>{row.status}</Badge>
                <Text as="span" fontWeight="semibold">
                  {row.kind.replace(/_/g, ' ')}
                </Text>
                <Text as="span" tone="subdued">
                  {formatDate(row.created_at)}
                </Text>
              </InlineStack>
              <Text as="p" breakWord>
                {[row.message, ...row.field_errors.map((e) => `${fieldLabel(e.field)}: ${e.message}`)].filter(Boolean).join(' · ')}
              </Text>
            </BlockStack>
          </Box>
        ))}
      </BlockStack>
      {total > HISTORY_PAGE ? (
        <Box padding="300" borderBlockStartWidth="025" borderColor="border">
          <InlineStack align="center">
            <Pagination
              hasPrevious={page > 1}
              hasNext={page * HISTORY_PAGE < total}
              onPrevious={() => setPage(page - 1)}
              onNext={() => setPage(page + 1)}
              label={`Page ${page} of ${Math.ceil(total / HISTORY_PAGE)}`}
            />
          </InlineStack>
        </Box>
      ) : null}
    </Card>
  );
}
