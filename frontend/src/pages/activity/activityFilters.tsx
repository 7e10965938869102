// The Activity list's filters (kind, status, date range, TikTok Shop) and their pills, and the
// CSV download of the current filter (fetch + blob, so embedded requests carry their token).
import {BlockStack, TextField} from '@shopify/polaris';
import type {AppliedFilterInterface, FilterInterface} from '@shopify/polaris';

import {toApiError} from '../../api/client';
import {type ChoiceFilterSpec, choiceFilter, choicePill} from '../../components/choiceFilter';
import {type Connection, regionName} from '../../shell/connection';
import {appBridge} from '../../shell/embedded';
import {type ActivityState, exportSearch, type Kind, KINDS, type Status, STATUSES} from './activityState';

export function activityFilters(
  state: ActivityState,
  connections: Connection[],
): {filters: FilterInterface[]; applied: AppliedFilterInterface[]} {
  const {query, set} = state;
  const kind: ChoiceFilterSpec = {
    key: 'kind', label: 'Kind', choices: KINDS, selected: query.kind ?? [], allowMultiple: true, pinned: true,
    onChange: (v) => set({kind: v.length ? (v as Kind[]) : undefined}),
  };
  const status: ChoiceFilterSpec = {
    key: 'status', label: 'Status', choices: STATUSES, selected: query.status ?? [], allowMultiple: true, pinned: true,
    onChange: (v) => set({status: v.length ? (v as Status[]) : undefined}),
  };
  const filters: FilterInterface[] = [
    choiceFilter(kind),
    choiceFilter(status),
    {
      key: 'date',
      label: 'Date',
      pinned: true,
      filter: (
        <BlockStack gap="200">
          <TextField label="From" type="date" value={query.since ?? ''} onChange={(v) => set({since: v || undefined})} autoComplete="off" />
          <TextField label="To" type="date" value={query.until ?? ''} onChange={(v) => set({until: v || undefined})} autoComplete="off" />
        </BlockStack>
      ),
    },
  ];
  if (connections.length > 1) {
    filters.push(
      choiceFilter({
        key: 'connection',
        label: 'TikTok Shop',
        choices: connections.map((c) => ({label: `${c.name ?? c.tiktok_shop_id} — ${regionName(c.region)}`, value: String(c.id)})),
        selected: query.connection_id ? [String(query.connection_id)] : [],
        onChange: ([v]) => set({connection_id: v ? Number(v) : undefined}),
      }),
    );
  }
  const applied: AppliedFilterInterface[] = [...choicePill(kind), ...choicePill(status)];
  if (query.since || query.until) {
    const label = query.since && query.until ? `${query.since} – ${query.until}` : query.since ? `From ${query.since}` : `Until ${query.until}`;
    applied.push({key: 'date', label: `Date: ${label}`, onRemove: () => set({since: undefined, until: undefined})});
  }
  if (query.connection_id) {
    const c = connections.find((x) => x.id === query.connection_id);
    applied.push({key: 'connection', label: `TikTok Shop: ${c ? regionName(c.region) : query.connection_id}`, onRemove: () => set({connection_id: undefined})});
  }
  return {filters, applied};
}

/** Download the CSV export of `state`'s filter as a file. */
export async function downloadCsv(state: ActivityState): Promise<void> {
  const headers: Record<string, string> = {};
  const bridge = appBridge();
  if (bridge) headers.Authorization = `Bearer ${await bridge.idToken()}`;
  let response: Response;
  try {
    response = await fetch(`/api/activity/export?${exportSearch(state.query)}`, {headers, credentials: 'same-origin'});
  } catch {
    throw toApiError(0, null);
  }
  if (!response.ok) throw toApiError(response.status, await response.json().catch(() => null));
  const blob = await response.blob();
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'activity.csv';
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
