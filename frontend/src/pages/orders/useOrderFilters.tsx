// The Orders page's views (tabs by order sync status), filters (fulfillment, TikTok status, date
// range), search and sort: the state, the API query it becomes, and the IndexFilters props.
import {FormLayout, type IndexFiltersProps, TextField} from '@shopify/polaris';
import {useMemo, useState} from 'react';

import type {operations} from '../../api/schema';
import {type ChoiceFilterSpec, choiceFilter, choicePill} from '../../components/choiceFilter';
import {useDebounced} from '../../hooks/useDebounced';
import {TIKTOK_STATUSES} from './status';

export type OrdersQuery = NonNullable<operations['list_orders_api_orders_get']['parameters']['query']>;
type OrderSync = NonNullable<OrdersQuery['order_sync']>[number];
type Fulfillment = NonNullable<OrdersQuery['fulfillment_sync']>[number];
type TikTokStatus = NonNullable<OrdersQuery['tiktok_status']>[number];

/** Saved views: each a set of order sync statuses (counts come from /api/orders/summary). */
export const VIEWS: {id: string; label: string; statuses: OrderSync[]}[] = [
  {id: 'all', label: 'All', statuses: []},
  {id: 'not_synced', label: 'Not synced', statuses: ['not_synced']},
  {id: 'failed', label: 'Failed', statuses: ['failed', 'review_failed', 'backoff']},
  {id: 'queued', label: 'Queued', statuses: ['pending', 'running']},
  {id: 'synced', label: 'Synced', statuses: ['synced']},
  {id: 'waiting', label: 'Awaiting payment', statuses: ['waiting']},
  {id: 'cancelled', label: 'Cancelled', statuses: ['cancelled']},
];

const FULFILLMENT_CHOICES: {label: string; value: string; statuses: Fulfillment[]}[] = [
  {label: 'Not shipped yet', value: 'unfulfilled', statuses: ['unfulfilled']},
  {label: 'Shipped, not synced', value: 'not_synced', statuses: ['not_synced']},
  {label: 'Queued', value: 'queued', statuses: ['pending', 'running']},
  {label: 'Synced', value: 'synced', statuses: ['synced']},
  {label: 'Failed', value: 'failed', statuses: ['failed', 'review_failed', 'backoff']},
];

export const SORT_OPTIONS: IndexFiltersProps['sortOptions'] = [
  {label: 'Date', value: 'created_at desc', directionLabel: 'Newest first'},
  {label: 'Date', value: 'created_at asc', directionLabel: 'Oldest first'},
  {label: 'Total', value: 'total desc', directionLabel: 'Highest first'},
  {label: 'Total', value: 'total asc', directionLabel: 'Lowest first'},
  {label: 'Order ID', value: 'order_id asc', directionLabel: 'Ascending'},
  {label: 'Order ID', value: 'order_id desc', directionLabel: 'Descending'},
  {label: 'TikTok status', value: 'status asc', directionLabel: 'A–Z'},
  {label: 'TikTok status', value: 'status desc', directionLabel: 'Z–A'},
];

export function useOrderFilters(dateError: {from?: string; to?: string}) {
  const [view, setView] = useState(0);
  const [query, setQuery] = useState('');
  const [fulfillment, setFulfillment] = useState<string[]>([]);
  const [tiktok, setTiktok] = useState<string[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [sort, setSort] = useState<string[]>(['created_at desc']);
  const search = useDebounced(query.trim());

  const apiQuery = useMemo<OrdersQuery>(() => {
    const [sortKey, direction] = sort[0].split(' ') as [OrdersQuery['sort'], OrdersQuery['direction']];
    return {
      order_sync: VIEWS[view].statuses.length ? VIEWS[view].statuses : undefined,
      fulfillment_sync: fulfillment.length
        ? FULFILLMENT_CHOICES.filter((c) => fulfillment.includes(c.value)).flatMap((c) => c.statuses)
        : undefined,
      tiktok_status: tiktok.length ? (tiktok as TikTokStatus[]) : undefined,
      created_from: from || undefined,
      created_to: to || undefined,
      q: search || undefined,
      sort: sortKey,
      direction,
    };
  }, [view, fulfillment, tiktok, from, to, search, sort]);

  const fulfillmentFilter: ChoiceFilterSpec = {
    key: 'fulfillment',
    label: 'Fulfillment status',
    pill: 'Fulfillment',
    choices: FULFILLMENT_CHOICES.map(({label, value}) => ({label, value})),
    selected: fulfillment,
    onChange: setFulfillment,
    allowMultiple: true,
    shortcut: true,
  };
  const tiktokFilter: ChoiceFilterSpec = {
    key: 'tiktok',
    label: 'TikTok status',
    pill: 'TikTok',
    choices: TIKTOK_STATUSES,
    selected: tiktok,
    onChange: setTiktok,
    allowMultiple: true,
    shortcut: true,
  };
  const filters: IndexFiltersProps['filters'] = [
    choiceFilter(fulfillmentFilter),
    choiceFilter(tiktokFilter),
    {
      key: 'date',
      label: 'Date placed',
      filter: (
        <FormLayout>
          <TextField label="From" type="date" value={from} onChange={setFrom} autoComplete="off" error={dateError.from} />
          <TextField label="To" type="date" value={to} onChange={setTo} autoComplete="off" error={dateError.to} />
        </FormLayout>
      ),
      shortcut: true,
    },
  ];

  const applied: IndexFiltersProps['appliedFilters'] = [...choicePill(fulfillmentFilter), ...choicePill(tiktokFilter)];
  if (from || to) {
    applied.push({
      key: 'date',
      label: `Placed ${from ? `from ${from}` : ''}${from && to ? ' ' : ''}${to ? `to ${to}` : ''}`,
      onRemove: () => {
        setFrom('');
        setTo('');
      },
    });
  }
  const clearAll = () => {
    setFulfillment([]);
    setTiktok([]);
    setFrom('');
    setTo('');
  };
  return {view, setView, query, setQuery, sort, setSort, apiQuery, filters, applied, clearAll};
}
