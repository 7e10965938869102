// Link products: tie existing TikTok listings to Shopify variants, so orders for listings the
// app did not create still sync and those listings get our prices and stock. Tabs: SKU
// proposals (bulk confirm), barcode/title suggestions (review per row), manual link (search
// both sides), linked (search, unlink). The tab and the manual searches live in the URL
// (`?tab=manual&tiktok=…&shopify=…`), so an order's "Link this item" lands prefilled.
import {BlockStack, Box, Page, Tabs} from '@shopify/polaris';
import {useSearchParams} from 'react-router-dom';

import {WithConnection} from '../../components/states';
import {type Connection, ConnectionSelect} from '../../shell/connection';
import {LinkedList} from './LinkedTab';
import {ManualLink} from './ManualLinkTab';
import {SkuProposals, Suggestions} from './ProposalsTab';

const TABS = [
  {id: 'proposals', content: 'SKU proposals'},
  {id: 'suggestions', content: 'Suggestions'},
  {id: 'manual', content: 'Manual link'},
  {id: 'linked', content: 'Linked'},
];

export default function LinksPage() {
  return <WithConnection title="Link products">{(c) => <Links connection={c} />}</WithConnection>;
}

function Links({connection}: {connection: Connection}) {
  const [params, setParams] = useSearchParams();
  const selected = Math.max(0, TABS.findIndex((t) => t.id === params.get('tab')));
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, {replace: true});
  };
  const id = connection.id;
  const tab = TABS[selected].id;
  return (
    <Page title="Link products" subtitle="Connect TikTok listings you already have to your Shopify variants">
      <BlockStack gap="400">
        <ConnectionSelect />
        <Tabs tabs={TABS} selected={selected} onSelect={(i) => update({tab: TABS[i].id})} fitted>
          <Box paddingBlockStart="400">
        {tab === 'proposals' && <SkuProposals key={id} connectionId={id} />}
        {tab === 'suggestions' && (
          <Suggestions key={id} connectionId={id}
            onManual={(shopify, tiktok) => update({tab: 'manual', shopify, tiktok})} />
        )}
        {tab === 'manual' && (
          <ManualLink key={id} connectionId={id}
            shopifySearch={params.get('shopify') ?? ''} tiktokSearch={params.get('tiktok') ?? ''}
            setShopifySearch={(v) => update({shopify: v})} setTiktokSearch={(v) => update({tiktok: v})} />
        )}
        {tab === 'linked' && <LinkedList key={id} connectionId={id} />}
          </Box>
        </Tabs>
      </BlockStack>
    </Page>
  );
}
