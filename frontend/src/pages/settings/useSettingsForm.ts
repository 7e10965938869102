// One settings form: the saved value (a query), the merchant's draft, Save / Discard, and the
// API's field errors. A failed save keeps the draft as typed; a successful one becomes the saved
// value (so a reload shows it). Used by the Products, Orders and Fulfillment tabs.
import {type QueryKey, useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {useEffect, useMemo, useState} from 'react';

import {ApiError} from '../../api/client';
import {errorMessage} from '../../components/states';
import {useToast} from '../../shell/feedback';

interface Options<T, D> {
  queryKey: QueryKey;
  load: () => Promise<T>;
  save: (draft: D) => Promise<T>;
  /** The editable form of the saved value (strings for numbers, etc.). */
  toDraft: (saved: T) => D;
  onDirtyChange: (dirty: boolean) => void;
  /** The toast after a save: fixed words, or words from what the save returned. */
  savedMessage?: string | ((saved: T) => string);
}

export interface SettingsForm<T, D> {
  saved: T | undefined;
  draft: D | undefined;
  setDraft: (update: (draft: D) => D) => void;
  dirty: boolean;
  saving: boolean;
  /** The last save's problem (field errors via `fieldError`), cleared by the next save. */
  error: ApiError | null;
  loadError: unknown;
  isLoading: boolean;
  refetch: () => void;
  save: () => void;
  discard: () => void;
  /** The setter of one draft field, for a Polaris field's onChange. */
  field: <K extends keyof D>(key: K) => (value: D[K]) => void;
  /** The last save's error at `field` (`nested`: or at its children). */
  fieldError: (field: string, nested?: boolean) => string | undefined;
}

export function useSettingsForm<T, D>(options: Options<T, D>): SettingsForm<T, D> {
  const {queryKey, load, save, toDraft, onDirtyChange, savedMessage} = options;
  const toast = useToast();
  const client = useQueryClient();
  const query = useQuery({queryKey, queryFn: load, staleTime: Infinity});
  const [draft, setDraftState] = useState<D | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const baseline = useMemo(() => (query.data === undefined ? undefined : toDraft(query.data)), [query.data, toDraft]);
  useEffect(() => {
    if (baseline !== undefined && draft === undefined) setDraftState(baseline);
  }, [baseline, draft]);
  const dirty = draft !== undefined && baseline !== undefined && JSON.stringify(draft) !== JSON.stringify(baseline);
  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);
  const mutation = useMutation({
    mutationFn: (value: D) => save(value),
    onSuccess: (result) => {
      client.setQueryData(queryKey, result);
      setDraftState(toDraft(result));
      setError(null);
      toast(typeof savedMessage === 'function' ? savedMessage(result) : (savedMessage ?? 'Settings saved'));
    },
    onError: (failure) => {
      setError(failure instanceof ApiError ? failure : new ApiError(0, errorMessage(failure)));
    },
  });
  const setDraft = (update: (draft: D) => D) =>
    setDraftState((current) => (current === undefined ? current : update(current)));
  return {
    saved: query.data,
    draft,
    setDraft,
    dirty,
    saving: mutation.isPending,
    error,
    loadError: query.error,
    isLoading: query.isLoading,
    refetch: () => void query.refetch(),
    save: () => {
      if (draft !== undefined) mutation.mutate(draft);
    },
    discard: () => {
      setDraftState(baseline);
      setError(null);
    },
    field: (key) => (value) => setDraft((x) => ({...x, [key]: value})),
    fieldError: (field, nested = false) => errorFor(error, field, nested),
  };
}

/** A number field's text as the API takes it: a number, null when empty, else the text itself
 * (so the API's own validation names the field). */
export function numberOrRaw(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return (Number.isFinite(value) ? value : trimmed) as number;
}

/** The error text of `field`, or of its children (`tags` covers `tags.0`). */
export function errorFor(error: ApiError | null, field: string, nested = false): string | undefined {
  if (!error) return undefined;
  const direct = error.fieldError(field);
  if (direct || !nested) return direct;
  const hits = error.fields.filter((f) => f.field.startsWith(`${field}.`));
  return hits.length ? hits.map((f) => [f.message, f.fix].filter(Boolean).join(' ')).join(' ') : undefined;
}

/** A save's toast, saying how many syncs turning auto sync on queued (when it queued any). */
export function savedWithQueued(message: string, queued: number, what: 'order' | 'fulfillment'): string {
  if (!queued) return message;
  return `${message}; ${queued} ${what}${queued === 1 ? '' : 's'} queued to sync`;
}
