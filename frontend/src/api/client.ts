// The one client of the JSON API: openapi-fetch typed by `schema.d.ts`, which is generated from
// the app's own /openapi.json (`scripts/gen-api-types.sh`; a test fails when it is stale).
import createClient, {type Middleware} from 'openapi-fetch';

import {appBridge} from '../shell/embedded';
import type {paths} from './schema';

/** One problem with one field, as the API reports it (422 `detail[]` or our FieldErrorOut). */
export interface FieldProblem {
  field: string;
  message: string;
  fix?: string | null;
}

/** An API answer that is not 2xx, in words a merchant can read, plus any field-level problems. */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: FieldProblem[];

  constructor(status: number, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }

  /** The problem for `field` (dotted path as the API names it, e.g. `package.weight`). */
  fieldError(field: string): string | undefined {
    const hit = this.fields.find((f) => f.field === field);
    return hit ? [hit.message, hit.fix].filter(Boolean).join(' ') : undefined;
  }
}

interface ValidationItem {
  loc?: (string | number)[];
  msg?: string;
  fix?: string | null;
}

/** Turn an error body (`{detail: string}` or FastAPI's `{detail: [{loc, msg}]}`) into ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const detail = (body as {detail?: unknown} | null)?.detail;
  if (typeof detail === 'string') return new ApiError(status, detail);
  if (Array.isArray(detail)) {
    const fields = (detail as ValidationItem[]).map((d) => ({
      field: (d.loc ?? []).filter((p) => p !== 'body' && p !== 'query').join('.'),
      message: d.msg ?? 'This value is not accepted.',
      fix: d.fix ?? null,
    }));
    const summary = fields.length === 1 ? fields[0].message : `${fields.length} fields need attention.`;
    return new ApiError(status, summary, fields);
  }
  if (status === 0) return new ApiError(0, 'The app could not be reached. Check your connection.');
  return new ApiError(status, `The app answered with an error (${status}).`);
}

/** Embedded: every request carries a fresh App Bridge session token (they live about a
 * minute, so one per request). Standalone: the same-origin session cookie does the job. */
const sessionToken: Middleware = {
  async onRequest({request}) {
    const bridge = appBridge();
    if (bridge) request.headers.set('Authorization', `Bearer ${await bridge.idToken()}`);
    return request;
  },
};

export const api = createClient<paths>({baseUrl: '', credentials: 'same-origin'});
api.use(sessionToken);

/** Unwrap an openapi-fetch result: the data, or throw ApiError. */
export async function unwrap<T>(
  call: Promise<{data?: T; error?: unknown; response: Response}>,
): Promise<T> {
  let result: {data?: T; error?: unknown; response: Response};
  try {
    result = await call;
  } catch {
    throw toApiError(0, null);
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}
