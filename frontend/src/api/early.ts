// Answers to the requests `index.html` starts before the app's code has arrived (standalone
// loads only: embedded requests need App Bridge's session token, which only the app can ask):
// who is signed in, and on /products without filters the list's first page and the price
// source of the connection the page will show. Each answer is used once, by the first query
// that asks for it; a query finding none (or one for another connection) asks the API itself.
import {toApiError} from './client';

type Early = Promise<Response | null>;

interface EarlyPage {
  /** The connection the requests are for (index.html picks it as `pickConnection` does). */
  connection: number;
  requests: Partial<Record<string, Early>>;
}

interface EarlyRequests {
  session?: Early;
  page?: Promise<EarlyPage | null>;
}

function early(): EarlyRequests | undefined {
  return (window as unknown as {__ecomsendEarly?: EarlyRequests}).__ecomsendEarly;
}

/** The body of an early answer, or the ApiError `unwrap` would throw for it. */
async function parse<T>(request: Early): Promise<T> {
  const response = await request;
  if (!response) throw toApiError(0, null);
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

/** The session answer, if index.html asked for it and nobody used it yet. */
export function takeEarlyResponse<T>(name: 'session'): Promise<T> | undefined {
  const requests = early();
  const request = requests?.[name];
  if (!requests || !request) return undefined;
  delete requests[name];
  return parse<T>(request);
}

/** The early answer to `name` (`list`, `pricing-source`) for this connection, else undefined. */
export async function takeEarlyPageResponse<T>(name: string, connectionId: number): Promise<T | undefined> {
  const page = await early()?.page;
  const request = page && page.connection === connectionId ? page.requests[name] : undefined;
  if (!page || !request) return undefined;
  delete page.requests[name];
  return parse<T>(request);
}
