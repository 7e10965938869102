// Home: is the app set up and working? The onboarding checklist (dismissible once complete),
// per TikTok connection the counts by status and its health, and the current failures with
// Retry. One call (`GET /api/home`) computes everything but readiness, which asks TikTok.
import {BlockStack, Layout, Page} from '@shopify/polaris';
import {useQuery} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import {ErrorBanner, PageSkeleton} from '../../components/states';
import {useConnectionState} from '../../shell/connection';
import {useAdminLoading} from '../../shell/feedback';
import {Checklist} from './Checklist';
import {ConnectionOverview} from './ConnectionOverview';
import {RecentFailures} from './RecentFailures';

export const HOME_QUERY_KEY = ['home'] as const;

export default function HomePage() {
  const {connection} = useConnectionState();
  const query = useQuery({
    queryKey: HOME_QUERY_KEY,
    queryFn: () => unwrap(api.GET('/api/home')),
    refetchInterval: 30_000,
  });
  useAdminLoading(query.isFetching);
  if (query.isLoading) return <PageSkeleton title="Home" />;
  if (query.error || !query.data) {
    return (
      <Page title="Home">
        <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />
      </Page>
    );
  }
  const home = query.data;
  return (
    <Page title="Home" subtitle={home.shop.name ?? home.shop.domain}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Checklist home={home} connection={connection} />
            {home.connections.map((c) => (
              <ConnectionOverview key={c.id} connection={c} />
            ))}
            <RecentFailures failures={home.recent_failures} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
