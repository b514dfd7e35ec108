/**
 * The console's two languages (English and Russian, the languages of its operators), and
 * dates and numbers in the operator's locale and time zone.
 *
 * How a page uses it:
 * - Every visible string is a message: `const t = useT()` inside a JSX component, then
 *   `t('accounts.title')` or `t('bulk.posts', { n: 3 })` (`{n}` in the text is replaced).
 *   Messages live in `messages/<page>.ts`, English and Russian side by side; the type makes
 *   the Russian table name every English key, and `test/i18n.test.ts` checks that no view
 *   renders text that is not a message.
 * - Dates, times, numbers and sizes go through `useFormat()`.
 * - Browser scripts get their strings from the page: the layout writes every message whose
 *   key has a `.js.` segment (`bulk.js.move`) into `<body data-messages>`, as JSON.
 * - `htmlPage` (views/layout.tsx) picks the locale for each request (`localeOf`) and renders
 *   the page inside it, so components need no locale prop.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createContext, useContext } from 'hono/jsx';
import { accountsMessages } from './messages/accounts';
import { bulkListMessages } from './messages/bulk-list';
import { bulkNewMessages } from './messages/bulk-new';
import { bulkPageMessages } from './messages/bulk-page';
import { commonMessages } from './messages/common';
import { schedulesMessages } from './messages/schedules';
import { videosMessages } from './messages/videos';

/** The console's languages; the first is the default. */
export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** Cookies the console keeps: the chosen language, and the browser's time zone (set by the page script). */
export const LOCALE_COOKIE = 'clipfleet_lang';
export const TIME_ZONE_COOKIE = 'clipfleet_tz';

const english = {
  ...commonMessages.en,
  ...bulkListMessages.en,
  ...bulkPageMessages.en,
  ...bulkNewMessages.en,
  ...accountsMessages.en,
  ...videosMessages.en,
  ...schedulesMessages.en,
};
/** A message's name. */
export type MessageKey = keyof typeof english;

/** Every message in every language. */
export const MESSAGES: Record<Locale, Record<MessageKey, string>> = {
  en: english,
  ru: {
    ...commonMessages.ru,
    ...bulkListMessages.ru,
    ...bulkPageMessages.ru,
    ...bulkNewMessages.ru,
    ...accountsMessages.ru,
    ...videosMessages.ru,
    ...schedulesMessages.ru,
  },
};

/** What a page is rendered in. */
export interface PageLocale {
  locale: Locale;
  /** An IANA zone: the operator's (from the page script's cookie), else UTC. */
  timeZone: string;
}

function isLocale(value: string | undefined): value is Locale {
  return (LOCALES as readonly string[]).includes(value ?? '');
}

function isTimeZone(value: string | undefined): value is string {
  if (!value || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The language an operator reads: the one they chose (cookie), else the first of their
 * browser's `Accept-Language` we speak (by quality), else English.
 */
export function negotiateLocale(chosen: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(chosen)) return chosen;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang).find(isLocale) ?? 'en';
}

/** The locale and time zone of a request, from its cookies and headers. */
export function localeOf(c: Context): PageLocale {
  const zone = getCookie(c, TIME_ZONE_COOKIE);
  return { locale: negotiateLocale(getCookie(c, LOCALE_COOKIE), c.req.header('accept-language')), timeZone: isTimeZone(zone) ? zone : 'UTC' };
}

/** The locale a page is rendered in; `htmlPage` provides it. */
export const LocaleContext = createContext<PageLocale>({ locale: 'en', timeZone: 'UTC' });

/** Parameters a message's `{name}` placeholders are filled from. */
export type MessageParams = Record<string, string | number>;

/** A message in `locale`, its `{name}` placeholders filled in (numbers in the locale's digits). */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const text = MESSAGES[locale][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : value;
  });
}

/** The translator of the page being rendered. */
export function useT(): (key: MessageKey, params?: MessageParams) => string {
  const { locale } = useContext(LocaleContext);
  return (key, params) => translate(locale, key, params);
}

/** The page's locale and zone (for a component that needs them as values, e.g. `<html lang>`). */
export function usePageLocale(): PageLocale {
  return useContext(LocaleContext);
}

/** Formatters in a locale and time zone. */
export function formatters({ locale, timeZone }: PageLocale) {
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const numberFormat = new Intl.NumberFormat(locale);
  const toDate = (value: string | number | Date) => (value instanceof Date ? value : new Date(value));
  return {
    timeZone,
    /** `24 Nov 2026, 21:40:05` / `24 нояб. 2026 г., 21:40:05` in the operator's zone. */
    dateTime: (value: string | number | Date) => dateTimeFormat.format(toDate(value)),
    /** A count with the locale's grouping. */
    number: (n: number) => numberFormat.format(n),
    /** A size in bytes as KB/MB/GB (decimal, one decimal place past 10). */
    bytes: (n: number) => {
      const units = locale === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ', 'ТБ'] : ['B', 'KB', 'MB', 'GB', 'TB'];
      let value = n;
      let unit = 0;
      while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit += 1;
      }
      return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1 }).format(value)} ${units[unit]}`;
    },
    /** A duration in seconds as `m:ss` (or `h:mm:ss`). */
    duration: (seconds: number) => {
      const s = Math.round(seconds);
      const pad = (n: number) => String(n).padStart(2, '0');
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
    },
  };
}
export type Formatters = ReturnType<typeof formatters>;

/** The formatters of the page being rendered. */
export function useFormat(): Formatters {
  return formatters(useContext(LocaleContext));
}

/** The messages a browser script needs (keys with a `.js.` segment), as the layout hands them to it. */
export function scriptMessages(locale: Locale): Record<string, string> {
  return Object.fromEntries(Object.entries(MESSAGES[locale]).filter(([key]) => key.includes('.js.')));
}
