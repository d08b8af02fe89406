/** Number, size and date formatting for webview text. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** `12345` -> `12,345` (in the user's locale). */
export function formatCount(n: number): string {
  return integer.format(n);
}

/** `n` with the singular or plural noun: `1 image`, `12,345 images`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

/** A byte count for people: `812 B`, `1.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A date and time in the user's locale. */
export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString();
}
