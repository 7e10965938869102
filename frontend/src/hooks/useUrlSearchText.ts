// The search box of a list whose filters live in the URL (Products, Activity): typed text stays
// local and reaches the URL (and so the server) after a pause; a URL with `?q=` fills the box.
import {useEffect, useState} from 'react';

/** `[text, setText]` for IndexFilters' query field: `committed` is the URL's `q`, `commit`
 * writes a new one (undefined clears it) 300 ms after the last keystroke. */
export function useUrlSearchText(
  committed: string | undefined,
  commit: (q: string | undefined) => void,
): [string, (value: string) => void] {
  const [text, setText] = useState(committed ?? '');
  useEffect(() => {
    if ((committed ?? '') === text.trim()) return undefined;
    const timer = window.setTimeout(() => commit(text.trim() || undefined), 300);
    return () => window.clearTimeout(timer);
  }, [text, committed, commit]);
  return [text, setText];
}
