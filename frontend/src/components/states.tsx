// Loading, error and "connect first" states every page shares (Polaris patterns: skeletons that
// mimic the page, a critical Banner with a Retry for a failed load, EmptyState for first steps).
import {
  Banner,
  BlockStack,
  Box,
  Card,
  EmptyState,
  Layout,
  Page,
  SkeletonBodyText,
  SkeletonDisplayText,
  SkeletonPage,
} from '@shopify/polaris';
import type {ReactNode} from 'react';

import {ApiError} from '../api/client';
import {type Connection, useConnectionState} from '../shell/connection';

/** Shopify's CDN image for empty states is unreachable offline: an inline SVG stands in. */
export const EMPTY_STATE_IMAGE =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="226" viewBox="0 0 226 226">' +
      '<circle cx="113" cy="113" r="100" fill="#f1f1f1"/><rect x="68" y="78" width="90" height="70" rx="8" fill="#e3e3e3"/>' +
      '<rect x="80" y="92" width="66" height="8" rx="4" fill="#c9c9c9"/><rect x="80" y="108" width="44" height="8" rx="4" fill="#c9c9c9"/></svg>',
  );

/** The skeleton of a page while its first data loads. */
export function PageSkeleton({title, fullWidth}: {title: string; fullWidth?: boolean}) {
  return (
    <SkeletonPage title={title} fullWidth={fullWidth} primaryAction>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <SkeletonDisplayText size="small" />
              <SkeletonBodyText lines={6} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </SkeletonPage>
  );
}

/** A list's first load, in its IndexTable's empty area (its empty state would say there is
 * nothing before the rows have arrived). */
export function ListSkeleton() {
  return (
    <Box padding="400">
      <SkeletonBodyText lines={5} />
    </Box>
  );
}

/** The message of any error thrown by a query or mutation. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** A failed load: what went wrong, and Retry. */
export function ErrorBanner({error, onRetry, title}: {error: unknown; onRetry?: () => void; title?: string}) {
  return (
    <Banner
      tone="critical"
      title={title ?? 'This could not be loaded'}
      action={onRetry ? {content: 'Retry', onAction: onRetry} : undefined}
    >
      <p>{errorMessage(error)}</p>
    </Banner>
  );
}

/** Render `children(connection)` once a TikTok connection is selected; before that, the page
 * explains that TikTok Shop must be connected first (with the action that does it). */
export function WithConnection({title, children}: {title: string; children: (c: Connection) => ReactNode}) {
  const {connection, isLoading, error} = useConnectionState();
  if (isLoading) return <PageSkeleton title={title} />;
  if (error) {
    return (
      <Page title={title}>
        <ErrorBanner error={error} onRetry={() => window.location.reload()} />
      </Page>
    );
  }
  if (!connection) {
    return (
      <Page title={title}>
        <Card>
          <EmptyState
            heading="Connect your TikTok Shop"
            action={{content: 'Connect TikTok Shop', url: '/auth/tiktok/connect', external: false}}
            image={EMPTY_STATE_IMAGE}
          >
            <p>Connect a TikTok Shop to list products, sync orders and share tracking.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }
  return <>{children(connection)}</>;
}
