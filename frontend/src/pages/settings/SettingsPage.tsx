// Settings: tabs Products, Orders, Fulfillment (per TikTok connection, saved through the
// contextual save bar) and Connections. The tab lives in the URL (`?tab=`); while a form has
// unsaved changes the tabs stay put (save or discard first), so nothing typed is lost.
import {Box, Card, EmptyState, Page, Tabs} from '@shopify/polaris';
import {type ReactNode, useCallback, useState} from 'react';
import {useSearchParams} from 'react-router-dom';

import {EMPTY_STATE_IMAGE, ErrorBanner, PageSkeleton} from '../../components/states';
import {connectTikTok} from '../../shell/connect';
import {type Connection, ConnectionSelect, useConnectionState} from '../../shell/connection';
import {ConnectionsTab} from './ConnectionsTab';
import {FulfillmentSettingsTab} from './FulfillmentSettingsTab';
import {OrderSettingsTab} from './OrderSettingsTab';
import {ProductSettingsTab} from './ProductSettingsTab';

const TABS = [
  {id: 'products', content: 'Products'},
  {id: 'orders', content: 'Orders'},
  {id: 'fulfillment', content: 'Fulfillment'},
  {id: 'connections', content: 'Connections'},
];

function NeedsConnection() {
  return (
    <Card>
      <EmptyState
        heading="Connect your TikTok Shop"
        action={{content: 'Connect TikTok Shop', onAction: () => void connectTikTok()}}
        image={EMPTY_STATE_IMAGE}
      >
        <p>These settings belong to a TikTok Shop connection.</p>
      </EmptyState>
    </Card>
  );
}

export default function SettingsPage() {
  const [params, setParams] = useSearchParams();
  const {connection, isLoading, error} = useConnectionState();
  const [dirty, setDirty] = useState(false);
  const onDirtyChange = useCallback((value: boolean) => setDirty(value), []);
  const found = TABS.findIndex((t) => t.id === params.get('tab'));
  const selected = found < 0 ? 0 : found;
  const select = (index: number) => {
    if (dirty) return;
    const next = new URLSearchParams(params);
    next.set('tab', TABS[index].id);
    setParams(next, {replace: true});
  };
  if (isLoading) return <PageSkeleton title="Settings" />;
  const tabId = TABS[selected].id;
  const perConnection = (render: (c: Connection) => ReactNode) => (connection ? render(connection) : <NeedsConnection />);
  let content: ReactNode;
  if (tabId === 'connections') content = <ConnectionsTab />;
  else if (tabId === 'orders') content = perConnection((c) => <OrderSettingsTab key={c.id} connection={c} onDirtyChange={onDirtyChange} />);
  else if (tabId === 'fulfillment') content = perConnection((c) => <FulfillmentSettingsTab key={c.id} connection={c} onDirtyChange={onDirtyChange} />);
  else content = perConnection((c) => <ProductSettingsTab key={c.id} connection={c} onDirtyChange={onDirtyChange} />);
  return (
    <Page title="Settings" secondaryActions={tabId === 'connections' ? undefined : <ConnectionSelect />}>
      {error ? <ErrorBanner error={error} onRetry={() => window.location.reload()} /> : null}
      <Tabs tabs={TABS} selected={selected} onSelect={select} disabled={dirty}>
        <Box paddingBlockStart="400">{content}</Box>
      </Tabs>
    </Page>
  );
}
