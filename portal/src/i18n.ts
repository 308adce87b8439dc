// Languages: English and Russian throughout, Kazakh where translated (a key
// missing in Kazakh falls back to Russian). Numbers, money (₸ with tiyn),
// dates and periods are formatted per language with Intl, dates and times in
// the operator's zone (Asia/Almaty, UTC+5).
import { en } from "./lang/en";
import { ru } from "./lang/ru";
import { kk } from "./lang/kk";

export type Lang = "en" | "ru" | "kk";
export const LANGS: Lang[] = ["en", "ru", "kk"];
export const ZONE = "Asia/Almaty";
const dictionaries: Record<Lang, Record<string, string>> = { en, ru, kk };
const locales: Record<Lang, string> = { en: "en-GB", ru: "ru-RU", kk: "kk-KZ" };

let lang: Lang = pickInitial();
const listeners = new Set<() => void>();
// Keys asked for that the language (after fallback) does not have: the
// browser tests read this list (window.gridbillMissingKeys).
const missing = new Set<string>();
(globalThis as unknown as { gridbillMissingKeys: Set<string> }).gridbillMissingKeys = missing;

function pickInitial(): Lang {
  const saved = localStorage.getItem("gridbill.lang");
  if (saved === "en" || saved === "ru" || saved === "kk") return saved;
  const nav = navigator.language.slice(0, 2);
  return nav === "ru" || nav === "kk" ? (nav as Lang) : "en";
}

export function currentLang(): Lang {
  return lang;
}
export function setLang(l: Lang) {
  lang = l;
  localStorage.setItem("gridbill.lang", l);
  document.documentElement.lang = l;
  for (const f of listeners) f();
}
export function onLang(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

// The text of `key` with {name} placeholders filled.
export function t(key: string, vars?: Record<string, string | number>): string {
  let text = dictionaries[lang][key] ?? (lang === "kk" ? ru[key] : undefined);
  if (text === undefined) {
    missing.add(`${lang}:${key}`);
    text = en[key] ?? key;
  }
  if (vars) text = text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
  return text;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function nf(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n${lang}${JSON.stringify(opts)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locales[lang], opts)));
  return f;
}
function df(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d${lang}${JSON.stringify(opts)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(locales[lang], opts)));
  return f;
}

// Tiyn as tenge, exactly (the decimal string goes to Intl, never a float).
export function money(tiyn: bigint | number | undefined): string {
  const v = BigInt(tiyn ?? 0);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const text = `${neg ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
  return nf({ style: "currency", currency: "KZT", currencyDisplay: "narrowSymbol", minimumFractionDigits: 2 })
    .format(text as unknown as number);
}

export function num(v: bigint | number | string | undefined, digits = 0): string {
  return nf({ maximumFractionDigits: digits, minimumFractionDigits: 0 }).format((v ?? 0) as number);
}

// Wh as kWh (or MWh above 10 GWh), with the unit.
export function energy(wh: bigint | number | undefined): string {
  const v = Number(wh ?? 0);
  if (Math.abs(v) >= 1e10) return `${nf({ maximumFractionDigits: 1 }).format(v / 1e6)} ${t("unit.mwh")}`;
  return `${nf({ maximumFractionDigits: 3 }).format(v / 1e3)} ${t("unit.kwh")}`;
}

export interface DateLike { year: number; month: number; day: number }
export interface PeriodLike { year: number; month: number }

export function date(d: DateLike | undefined): string {
  if (!d || !d.year) return "—";
  return df({ dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(d.year, d.month - 1, d.day)));
}
export function period(p: PeriodLike | undefined): string {
  if (!p || !p.year) return "—";
  return df({ month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(p.year, p.month - 1, 1)));
}
export function periodKey(p: PeriodLike | undefined): string {
  return p ? `${p.year}-${String(p.month).padStart(2, "0")}` : "";
}
// A protobuf Timestamp (or ms) in the operator's zone.
export function time(ts: { seconds: bigint; nanos: number } | number | undefined, withSeconds = false): string {
  if (ts === undefined) return "—";
  const ms = typeof ts === "number" ? ts : Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  if (!ms) return "—";
  return df({ dateStyle: "medium", timeStyle: withSeconds ? "medium" : "short", timeZone: ZONE }).format(ms);
}
export function clock(ms: number): string {
  return df({ hour: "2-digit", minute: "2-digit", timeZone: ZONE }).format(ms);
}
export function dayLabel(ms: number): string {
  return df({ day: "numeric", month: "short", timeZone: ZONE }).format(ms);
}
// Today's date and this month in the operator's zone.
export function today(): DateLike {
  const parts = df({ year: "numeric", month: "numeric", day: "numeric", timeZone: ZONE }).formatToParts(Date.now());
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  // en-GB/ru/kk all give numeric parts; the order does not matter here.
  return { year: get("year"), month: get("month"), day: get("day") };
}
