// Home's onboarding checklist: Shopify installed → TikTok Shop connected (per region) → shop
// readiness → a template activated → order auto sync on. Dismissible once every step is done.
import {
  Badge,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  Icon,
  InlineStack,
  List,
  ProgressBar,
  Spinner,
  Text,
} from '@shopify/polaris';
import {CheckCircleIcon, StatusIcon} from '@shopify/polaris-icons';
import {useQuery} from '@tanstack/react-query';
import {type ReactNode, useState} from 'react';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {errorMessage} from '../../components/states';
import {useConnectTikTok} from '../../shell/connect';
import {type Connection, regionName} from '../../shell/connection';

type Home = components['schemas']['HomeOut'];

interface Step {
  key: string;
  title: string;
  done: boolean;
  body: ReactNode;
  action?: ReactNode;
}

const dismissKey = (shop: string) => `ecomsend.onboarding.dismissed.${shop}`;

function StepRow({step}: {step: Step}) {
  return (
    <Box paddingBlock="300" borderBlockStartWidth="025" borderColor="border-secondary">
      <InlineStack gap="300" wrap={false} blockAlign="start">
        <Box>
          <Icon source={step.done ? CheckCircleIcon : StatusIcon} tone={step.done ? 'success' : 'subdued'} />
        </Box>
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">
              {step.title}
            </Text>
            <Badge tone={step.done ? 'success' : undefined} progress={step.done ? 'complete' : 'incomplete'}>
              {step.done ? 'Done' : 'To do'}
            </Badge>
          </InlineStack>
          <Box>{step.body}</Box>
          {step.action && !step.done ? <Box>{step.action}</Box> : null}
        </BlockStack>
      </InlineStack>
    </Box>
  );
}

/** TikTok's listing prerequisites of `connection` (asked live; kept a minute). */
function useReadiness(connection: Connection | undefined) {
  return useQuery({
    queryKey: ['readiness', connection?.id],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/readiness', {params: {path: {connection_id: connection!.id}}})),
    enabled: connection !== undefined,
    staleTime: 60_000,
  });
}

function ReadinessBody({connection}: {connection: Connection | undefined}) {
  const query = useReadiness(connection);
  if (!connection) return <Text as="p">Connect a TikTok Shop first; then we check what TikTok needs before listing.</Text>;
  if (query.isLoading) {
    return (
      <InlineStack gap="200" blockAlign="center">
        <Spinner size="small" accessibilityLabel="Checking shop readiness" />
        <Text as="span">Asking TikTok Shop whether {regionName(connection.region)} can list products…</Text>
      </InlineStack>
    );
  }
  if (query.error) {
    return (
      <BlockStack gap="200">
        <Text as="p" tone="critical">
          {errorMessage(query.error)}
        </Text>
        <Box>
          <Button onClick={() => void query.refetch()}>Check again</Button>
        </Box>
      </BlockStack>
    );
  }
  const result = query.data!;
  const failing = result.checks.filter((c) => !c.ok);
  return (
    <BlockStack gap="200">
      <Text as="p">{result.summary}</Text>
      {failing.length > 0 ? (
        <List type="bullet">
          {failing.map((c) => (
            <List.Item key={c.item}>
              <Text as="span" fontWeight="semibold">
                {c.label}:
              </Text>{' '}
              {c.how_to_fix ?? c.reasons.join('; ')}
            </List.Item>
          ))}
        </List>
      ) : null}
      {failing.length > 0 ? (
        <Box>
          <Button onClick={() => void query.refetch()} loading={query.isFetching}>
            Check again
          </Button>
        </Box>
      ) : null}
    </BlockStack>
  );
}

export function Checklist({home, connection}: {home: Home; connection: Connection | undefined}) {
  const [dismissed, setDismissed] = useState(() => window.localStorage.getItem(dismissKey(home.shop.domain)) === '1');
  const {connect, connecting} = useConnectTikTok();
  const ready = Boolean(useReadiness(connection).data?.ready);
  const live = home.connections.filter((c) => c.connected);
  const steps: Step[] = [
    {
      key: 'shopify',
      title: 'Install EcomSend Feed on Shopify',
      done: true,
      body: <Text as="p">Installed on {home.shop.domain}.</Text>,
    },
    {
      key: 'tiktok',
      title: 'Connect TikTok Shop',
      done: live.length > 0,
      body:
        live.length > 0 ? (
          <InlineStack gap="200" blockAlign="center">
            {live.map((c) => (
              <Badge key={c.id} tone="success">{`${c.name ?? c.tiktok_shop_id} — ${regionName(c.region)}`}</Badge>
            ))}
            <Button variant="plain" onClick={() => void connect()} loading={connecting}>
              Connect another region
            </Button>
          </InlineStack>
        ) : (
          <Text as="p">Connect the TikTok Shop of each region you sell in (one shop per region).</Text>
        ),
      action: (
        <Button variant="primary" onClick={() => void connect()} loading={connecting}>
          Connect TikTok Shop
        </Button>
      ),
    },
    {
      key: 'readiness',
      title: 'Pass TikTok’s listing prerequisites',
      done: ready,
      body: <ReadinessBody connection={connection} />,
    },
    {
      key: 'template',
      title: 'Activate a category template',
      done: live.some((c) => c.setup.active_templates > 0),
      body: (
        <Text as="p">
          An active template (or the default template of a region) decides which products are listed on TikTok and
          with which category and attributes.
        </Text>
      ),
      action: <Button url="/templates">Open Category templates</Button>,
    },
    {
      key: 'orders',
      title: 'Turn on order auto sync',
      done: live.some((c) => c.setup.order_auto_sync),
      body: <Text as="p">New TikTok orders then become Shopify orders by themselves.</Text>,
      action: <Button url="/settings?tab=orders">Open order settings</Button>,
    },
  ];
  const done = steps.filter((s) => s.done).length;
  const complete = done === steps.length;
  if (complete && dismissed) return null;
  const dismiss = () => {
    window.localStorage.setItem(dismissKey(home.shop.domain), '1');
    setDismissed(true);
  };
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Set up EcomSend Feed
          </Text>
          {complete ? (
            <ButtonGroup>
              <Button variant="plain" onClick={dismiss}>
                Dismiss
              </Button>
            </ButtonGroup>
          ) : null}
        </InlineStack>
        <Text as="p" tone="subdued" id="onboarding-progress">
          {`${done} of ${steps.length} steps completed`}
        </Text>
        <ProgressBar progress={(done / steps.length) * 100} size="small" tone="primary" ariaLabelledBy="onboarding-progress" />
        <BlockStack>
          {steps.map((s) => (
            <StepRow key={s.key} step={s} />
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
