// The small component library: calls with loading and error states, paged
// tables, labelled fields with the error next to them, downloads.
import { useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { createContext, type ComponentChildren, type JSX } from "preact";
import { t } from "./i18n";
import { toCallError, type CallError } from "./api";

export interface CallState<T> {
  loading: boolean;
  error: CallError | null;
  data: T | null;
  reload: () => void;
}

// Runs `fn` when `deps` change; the page shows its loading and error states.
export function useCall<T>(fn: () => Promise<T>, deps: unknown[]): CallState<T> {
  const [state, setState] = useState<{ loading: boolean; error: CallError | null; data: T | null }>({
    loading: true,
    error: null,
    data: null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setState({ loading: false, error: null, data }),
      (e) => live && setState({ loading: false, error: toCallError(e), data: null }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((x) => x + 1) };
}

// Repeats `fn` every `ms` while `active`.
export function useInterval(fn: () => void, ms: number, active: boolean) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

export function ErrorBox({ error }: { error: CallError }) {
  const text =
    error.kind === "unavailable"
      ? t("error.unavailable")
      : error.kind === "denied"
        ? t("error.denied")
        : error.kind === "unauthenticated"
          ? t("error.unauthenticated")
          : t("error.failed");
  return (
    <div class="error" role="alert">
      <strong>{text}</strong>
      {error.message && <span class="detail"> {error.message}</span>}
    </div>
  );
}

// Loading, error or the content of one call.
export function Async<T>({ state, children }: { state: CallState<T>; children: (data: T) => ComponentChildren }) {
  if (state.error) return <ErrorBox error={state.error} />;
  if (state.loading && state.data === null)
    return (
      <p class="loading" role="status" aria-live="polite">
        {t("common.loading")}
      </p>
    );
  return <>{state.data !== null ? children(state.data) : null}</>;
}

export interface Column<R> {
  label: string;
  cell: (row: R) => ComponentChildren;
  numeric?: boolean;
  // Kept on one line (document numbers, dates: their hyphens would break).
  nowrap?: boolean;
}

// A table paged on the client (`pageSize` rows at a time); `more` fetches
// the next page from the service when there is one.
export function Table<R>({
  caption,
  columns,
  rows,
  pageSize = 25,
  more,
  empty,
  rowKey,
}: {
  caption: string;
  columns: Column<R>[];
  rows: R[];
  pageSize?: number;
  more?: (() => void) | null;
  empty?: string;
  rowKey?: (r: R, i: number) => string;
}) {
  const [page, setPage] = useState(0);
  // A caption that only repeats its section's heading is kept for screen
  // readers (it names the table) but not shown twice.
  const heading = useContext(SectionTitle);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * pageSize, (current + 1) * pageSize);
  return (
    <div class="table-wrap">
      <table>
        <caption class={caption === heading ? "sr-only" : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.numeric ? "num" : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="empty">
                {empty ?? t("common.none")}
              </td>
            </tr>
          ) : (
            shown.map((r, i) => (
              <tr key={rowKey ? rowKey(r, i) : i}>
                {columns.map((c) => (
                  <td class={c.numeric ? "num" : c.nowrap ? "nowrap" : undefined}>{c.cell(r)}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {(pages > 1 || more) && (
        <nav class="pager" aria-label={t("common.pages", { caption })}>
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            {t("common.previous")}
          </button>
          <span>{t("common.page", { page: current + 1, pages })}</span>
          <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            {t("common.next")}
          </button>
          {more && (
            <button type="button" onClick={more}>
              {t("common.more")}
            </button>
          )}
        </nav>
      )}
    </div>
  );
}

// A labelled input with its error right under it (aria-describedby).
export function Field({
  id,
  label,
  error,
  children,
  hint,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: JSX.Element;
}) {
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <span id={`${id}-error`} class="field-error" role="alert">
          {t("common.error_prefix")} {error}
        </span>
      )}
    </div>
  );
}

export function inputProps(id: string, error?: string) {
  return {
    id,
    name: id,
    "aria-invalid": error ? ("true" as const) : ("false" as const),
    "aria-describedby": error ? `${id}-error` : undefined,
  };
}

// A state shown as a word and a shape, never by colour alone.
export function Badge({ text, tone }: { text: string; tone: "ok" | "warn" | "bad" | "info" }) {
  const mark = tone === "ok" ? "✓" : tone === "bad" ? "✕" : tone === "warn" ? "!" : "•";
  return (
    <span class={`badge ${tone}`}>
      <span aria-hidden="true">{mark} </span>
      {text}
    </span>
  );
}

export function Progress({ done, total, label }: { done: bigint | number; total: bigint | number; label: string }) {
  const d = Number(done);
  const n = Number(total);
  const pct = n > 0 ? Math.round((100 * d) / n) : 0;
  return (
    <div class="progress">
      <progress max={n || 1} value={d} aria-label={label} />
      <span>
        {d} / {n} ({pct}%)
      </span>
    </div>
  );
}

export function download(name: string, bytes: Uint8Array | string, type: string) {
  const blob = new Blob([bytes], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The heading of the section (or page) a table is in (see Table's caption).
export const SectionTitle = createContext("");

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const hid = useMemo(() => id ?? `s-${Math.random().toString(36).slice(2, 8)}`, [id]);
  // A section titled as the page it is on is named, not headed twice.
  if (title === useContext(SectionTitle)) {
    return (
      <section aria-label={title}>
        <SectionTitle.Provider value={title}>{children}</SectionTitle.Provider>
      </section>
    );
  }
  return (
    <section aria-labelledby={hid}>
      <h2 id={hid}>{title}</h2>
      <SectionTitle.Provider value={title}>{children}</SectionTitle.Provider>
    </section>
  );
}
