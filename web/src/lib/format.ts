import type { PartyNames } from '../api/types';
import { localeOf, type Lang } from '../i18n';

const dateTimeCache = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(lang: Lang): Intl.DateTimeFormat {
  let format = dateTimeCache.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(localeOf(lang), {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeCache.set(lang, format);
  }
  return format;
}

/** A timestamp in the user's language; the ISO value goes in a tooltip. */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateTimeFormat(lang).format(date);
}

export function formatBytes(size: number, lang: Lang): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 1 : 0;
  return `${new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: digits }).format(value)} ${units[unit] ?? 'B'}`;
}

export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(localeOf(lang)).format(value);
}

export const partyName = (names: PartyNames | undefined, lang: Lang, fallback: string): string =>
  names?.[lang] || names?.en || fallback;

/** Today's date as YYYY-MM-DD in local time (for date inputs). */
export function todayIso(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
