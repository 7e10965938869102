// Settings › Connections: the shop's TikTok connections (region, status, health) with
// Reauthorize, Disconnect (confirmed in a Modal that says what happens) and Connect another
// region. Reconnecting a disconnected shop goes through TikTok's consent page again.
import {Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, InlineStack, Layout, List, Modal, Text} from '@shopify/polaris';
import {useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {ErrorBanner} from '../../components/states';
import {useConnectTikTok} from '../../shell/connect';
import {regionName, SESSION_QUERY_KEY} from '../../shell/connection';
import {HealthList} from '../home/ConnectionOverview';
import {TabSkeleton} from './SaveError';

type Detail = components['schemas']['ConnectionDetailOut'];
type Disconnected = components['schemas']['DisconnectOut'];

function label(c: Detail): string {
  return `${c.name ?? c.tiktok_shop_id} — ${regionName(c.region)}`;
}

export function ConnectionsTab() {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState<Detail | null>(null);
  const [done, setDone] = useState<Disconnected | null>(null);
  const {connect, connecting} = useConnectTikTok();
  const query = useQuery({queryKey: ['connections'], queryFn: () => unwrap(api.GET('/api/connections'))});
  const disconnect = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/connections/{connection_id}/disconnect', {params: {path: {connection_id: id}}})),
    onSuccess: (result) => {
      setConfirming(null);
      setDone(result);
      void client.invalidateQueries({queryKey: ['connections']});
      void client.invalidateQueries({queryKey: SESSION_QUERY_KEY});
      void client.invalidateQueries({queryKey: ['home']});
    },
  });
  if (query.isLoading) return <TabSkeleton />;
  if (query.error || !query.data) return <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <Layout>
      {done ? (
        <Layout.Section>
          <Banner tone="info" title="TikTok Shop disconnected" onDismiss={() => setDone(null)}>
            <p>{done.message}</p>
          </Banner>
        </Layout.Section>
      ) : null}
      <Layout.AnnotatedSection
        title="TikTok Shop connections"
        description="One TikTok Shop per region. Disconnecting stops syncing with it and keeps its history."
      >
        <BlockStack gap="400">
          {query.data.length === 0 ? (
            <Card>
              <Text as="p">No TikTok Shop is connected yet.</Text>
            </Card>
          ) : null}
          {query.data.map((c) => (
            <Card key={c.id}>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <Text as="h3" variant="headingSm">
                    {label(c)}
                  </Text>
                  <Badge tone={c.connected ? 'success' : 'critical'}>{c.connected ? 'Connected' : 'Disconnected'}</Badge>
                </InlineStack>
                <HealthList health={c.health} />
                <ButtonGroup>
                  {c.connected ? (
                    <>
                      <Button onClick={() => void connect()} loading={connecting} accessibilityLabel={`Reauthorize ${label(c)}`}>
                        Reauthorize
                      </Button>
                      <Button tone="critical" onClick={() => setConfirming(c)} accessibilityLabel={`Disconnect ${label(c)}`}>
                        Disconnect
                      </Button>
                    </>
                  ) : (
                    <Button variant="primary" onClick={() => void connect()} loading={connecting} accessibilityLabel={`Reconnect ${label(c)}`}>
                      Reconnect
                    </Button>
                  )}
                </ButtonGroup>
              </BlockStack>
            </Card>
          ))}
          <Box>
            <Button onClick={() => void connect()} loading={connecting}>
              Connect another region
            </Button>
          </Box>
        </BlockStack>
      </Layout.AnnotatedSection>
      <Modal
        open={confirming !== null}
        onClose={() => {
          setConfirming(null);
          disconnect.reset();
        }}
        title={confirming ? `Disconnect ${label(confirming)}?` : 'Disconnect'}
        primaryAction={{
          content: 'Disconnect',
          destructive: true,
          loading: disconnect.isPending,
          onAction: () => confirming && disconnect.mutate(confirming.id),
        }}
        secondaryActions={[{content: 'Cancel', onAction: () => setConfirming(null)}]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            {disconnect.error ? <ErrorBanner error={disconnect.error} title="It could not be disconnected" /> : null}
            <Text as="p">What happens:</Text>
            <List type="bullet">
              <List.Item>Nothing syncs with this TikTok Shop any more: no product, stock or price updates, no order or fulfillment sync.</List.Item>
              <List.Item>Its queued syncs wait, and TikTok’s notifications for it are ignored.</List.Item>
              <List.Item>Its history is kept: orders, product links, templates, settings and activity stay readable here.</List.Item>
              <List.Item>Connect the same shop again any time to pick up where it stopped.</List.Item>
            </List>
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Layout>
  );
}
