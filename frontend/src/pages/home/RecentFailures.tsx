// Home's recent failures (what failed and still waits for a fix), each with Retry; Retry all.
import {Badge, BlockStack, Box, Button, Card, EmptyState, InlineStack, Link, Text} from '@shopify/polaris';
import {useMutation, useQueryClient} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {EMPTY_STATE_IMAGE, errorMessage} from '../../components/states';
import {useToast} from '../../shell/feedback';
import {timeAgo} from './format';

type Failure = components['schemas']['FailureOut'];

export function RecentFailures({failures}: {failures: Failure[]}) {
  const toast = useToast();
  const client = useQueryClient();
  const retry = useMutation({
    mutationFn: (ids: number[]) => unwrap(api.POST('/api/home/failures/retry', {body: {sync_state_ids: ids}})),
    onSuccess: (result) => {
      const skipped = result.results.filter((r) => !r.retried);
      toast(result.retried ? `Retrying ${result.retried} sync${result.retried > 1 ? 's' : ''}` : skipped[0]?.reason ?? 'Nothing to retry');
      void client.invalidateQueries({queryKey: ['home']});
      void client.invalidateQueries({queryKey: ['activity']});
    },
    onError: (error) => toast(errorMessage(error), {error: true}),
  });
  const retryable = failures.filter((f) => f.can_retry).map((f) => f.sync_state_id);
  return (
    <Card padding="0">
      <Box padding="400" paddingBlockEnd="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Recent failures
          </Text>
          {retryable.length > 1 ? (
            <Button onClick={() => retry.mutate(retryable)} loading={retry.isPending && retry.variables?.length !== 1}>
              Retry all
            </Button>
          ) : null}
        </InlineStack>
      </Box>
      {failures.length === 0 ? (
        <EmptyState heading="Nothing has failed" image={EMPTY_STATE_IMAGE}>
          <p>Products, orders and fulfillments that fail to sync show up here with the reason and a Retry.</p>
        </EmptyState>
      ) : (
        <BlockStack as="ul">
          {failures.map((f) => (
            <Box as="li" key={f.sync_state_id} padding="400" borderBlockStartWidth="025" borderColor="border-secondary">
              <InlineStack align="space-between" blockAlign="start" gap="300" wrap={false}>
                <BlockStack gap="100">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h3" variant="bodyMd" fontWeight="semibold">
                      {f.url ? <Link url={f.url}>{f.subject}</Link> : f.subject}
                    </Text>
                    <Badge>{f.kind_label}</Badge>
                    <Badge tone={f.status === 'backoff' ? 'warning' : 'critical'}>
                      {f.status === 'backoff' ? 'Retrying' : f.status === 'review_failed' ? 'Review failed' : 'Failed'}
                    </Badge>
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    {`${f.error ?? 'Sync failed'} · ${f.region} · ${timeAgo(f.updated_at)}`}
                  </Text>
                  {f.retry_blocked ? (
                    <Text as="p" tone="caution">
                      {f.retry_blocked}
                    </Text>
                  ) : null}
                </BlockStack>
                <Box>
                  <Button
                    disabled={!f.can_retry}
                    accessibilityLabel={`Retry ${f.subject}`}
                    loading={retry.isPending && retry.variables?.length === 1 && retry.variables[0] === f.sync_state_id}
                    onClick={() => retry.mutate([f.sync_state_id])}
                  >
                    Retry
                  </Button>
                </Box>
              </InlineStack>
            </Box>
          ))}
        </BlockStack>
      )}
    </Card>
  );
}
