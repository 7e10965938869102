// Dates as a merchant reads them ("5 minutes ago", "Dec 3, 2026, 7:04 PM"), shared by the Home,
// Settings › Connections and Activity pages.
const relative = new Intl.RelativeTimeFormat('en', {numeric: 'auto'});
const absolute = new Intl.DateTimeFormat('en', {dateStyle: 'medium', timeStyle: 'short'});
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "5 minutes ago" / "in 3 days"; `fallback` when there is no date. */
export function timeAgo(iso: string | null | undefined, fallback = 'Never'): string {
  if (!iso) return fallback;
  let value = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return absolute.format(new Date(iso));
}

/** "Dec 3, 2026, 7:04 PM" in the browser's time zone. */
export function dateTime(iso: string | null | undefined, fallback = '—'): string {
  return iso ? absolute.format(new Date(iso)) : fallback;
}
