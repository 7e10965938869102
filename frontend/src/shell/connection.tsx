// The signed-in shop and which TikTok connection (one per region) the pages work on. The choice
// is kept in the URL (`?connection=ID`) when given, else remembered in localStorage.
import {Select} from '@shopify/polaris';
import {useQuery} from '@tanstack/react-query';
import {createContext, type ReactNode, useCallback, useContext, useMemo, useState} from 'react';

import {api, unwrap} from '../api/client';
import {takeEarlyResponse} from '../api/early';
import type {components} from '../api/schema';

export type Session = components['schemas']['SessionOut'];
export type Connection = components['schemas']['ConnectionOut'];

const STORAGE_KEY = 'ecomsend.connection';

interface ConnectionState {
  session: Session | undefined;
  /** The connection the pages work on (undefined: none connected yet). */
  connection: Connection | undefined;
  select: (id: number) => void;
  isLoading: boolean;
  error: Error | null;
}

const ConnectionContext = createContext<ConnectionState | null>(null);

export const SESSION_QUERY_KEY = ['session'] as const;

/** The session query; `main.tsx` starts it before the first render. Its first answer is the
 * request `index.html` started before the app's code arrived (standalone loads), if any. */
export const sessionQuery = {
  queryKey: SESSION_QUERY_KEY,
  queryFn: () => takeEarlyResponse<Session>('session') ?? unwrap(api.GET('/api/session')),
  staleTime: 30_000,
};

/** The connection the merchant chose: `?connection=ID`, else the one remembered, else none. */
function initialChoice(): number | null {
  const fromUrl = Number(new URLSearchParams(window.location.search).get('connection'));
  if (fromUrl > 0) return fromUrl;
  const stored = Number(window.localStorage.getItem(STORAGE_KEY));
  return stored > 0 ? stored : null;
}

/** The connection the pages work on: the chosen one if connected, else the first connected. */
export function pickConnection(session: Session | undefined, chosen: number | null = initialChoice()): Connection | undefined {
  const connected = (session?.connections ?? []).filter((c) => c.connected);
  return connected.find((c) => c.id === chosen) ?? connected[0];
}

/** Fetches `/api/session` once for the whole app and tracks the selected connection. */
export function ConnectionProvider({children}: {children: ReactNode}) {
  const query = useQuery(sessionQuery);
  const [chosen, setChosen] = useState<number | null>(initialChoice);
  const select = useCallback((id: number) => {
    window.localStorage.setItem(STORAGE_KEY, String(id));
    setChosen(id);
  }, []);
  const value = useMemo<ConnectionState>(() => {
    const connection = pickConnection(query.data, chosen);
    return {session: query.data, connection, select, isLoading: query.isLoading, error: query.error};
  }, [query.data, query.isLoading, query.error, chosen, select]);
  return <ConnectionContext.Provider value={value}>{children}</ConnectionContext.Provider>;
}

export function useConnectionState(): ConnectionState {
  const state = useContext(ConnectionContext);
  if (!state) throw new Error('useConnectionState outside ConnectionProvider');
  return state;
}

/** A region label a merchant recognises ("United Kingdom (GB)"). */
export function regionName(region: string): string {
  const names: Record<string, string> = {
    US: 'United States', GB: 'United Kingdom', UK: 'United Kingdom', FR: 'France', DE: 'Germany',
    IT: 'Italy', ES: 'Spain', IE: 'Ireland', JP: 'Japan', MX: 'Mexico',
  };
  return `${names[region] ?? region} (${region})`;
}

/** The TikTok Shop picker for pages scoped to one connection; hidden with one connection. */
export function ConnectionSelect() {
  const {session, connection, select} = useConnectionState();
  const connected = (session?.connections ?? []).filter((c) => c.connected);
  if (connected.length < 2 || !connection) return null;
  return (
    <Select
      label="TikTok Shop"
      labelInline
      options={connected.map((c) => ({label: `${c.name ?? c.tiktok_shop_id} — ${regionName(c.region)}`, value: String(c.id)}))}
      value={String(connection.id)}
      onChange={(v) => select(Number(v))}
    />
  );
}
