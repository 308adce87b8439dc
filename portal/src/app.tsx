// The shell: sign-in, the session, navigation by role, the language switch,
// and hash routes (#/page/arg) so the gateway serves one index.html.
import { useEffect, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { currentSession, hasRole, isParticipant, onSession, refresh, signIn, signOut, toCallError, type Session } from "./api";
import { LANGS, currentLang, onLang, setLang, t, time, type Lang } from "./i18n";
import { Field, SectionTitle, inputProps } from "./ui";
import { Role } from "./gen/gridbill/common/v1/common_pb";
import { Dashboard } from "./pages/dashboard";
import { Contracts } from "./pages/contracts";
import { Accruals, Documents } from "./pages/documents";
import { Payments } from "./pages/payments";
import { Points } from "./pages/points";
import { Upload } from "./pages/upload";
import { Declare } from "./pages/declare";
import { Applications } from "./pages/applications";
import { Participants } from "./pages/participants";
import { Tariffs } from "./pages/tariffs";
import { BalanceRuns } from "./pages/balance";
import { InvoiceRuns } from "./pages/invoice_runs";
import { PaymentsImport, Aging } from "./pages/accounting";
import { Users } from "./pages/users";
import { Audit } from "./pages/audit";

interface PageDef {
  id: string;
  label: string;
  roles: Role[]; // who sees it in the menu
  render: (arg: string) => ComponentChildren;
}

const P = [Role.PARTICIPANT_USER, Role.PARTICIPANT_ADMIN];
const STAFF = [Role.OPERATOR, Role.ACCOUNTANT, Role.METERING_ENGINEER, Role.AUDITOR, Role.ADMIN];
const R = Role;

function pages(): PageDef[] {
  return [
    { id: "dashboard", label: t("nav.dashboard"), roles: P, render: () => <Dashboard /> },
    { id: "contracts", label: t("nav.contracts"), roles: [...P, ...STAFF], render: () => <Contracts /> },
    { id: "accruals", label: t("nav.accruals"), roles: [...P, R.OPERATOR, R.ACCOUNTANT, R.AUDITOR, R.ADMIN], render: () => <Accruals /> },
    { id: "documents", label: t("nav.documents"), roles: [...P, R.OPERATOR, R.ACCOUNTANT, R.AUDITOR, R.ADMIN], render: (a) => <Documents runId={a} /> },
    { id: "payments", label: t("nav.payments"), roles: [...P, R.OPERATOR, R.ACCOUNTANT, R.AUDITOR, R.ADMIN], render: () => <Payments /> },
    { id: "points", label: t("nav.points"), roles: [...P, ...STAFF], render: (a) => <Points code={a} /> },
    { id: "upload", label: t("nav.upload"), roles: [...P, R.OPERATOR, R.METERING_ENGINEER], render: () => <Upload /> },
    { id: "declare", label: t("nav.declare"), roles: P, render: () => <Declare /> },
    { id: "applications", label: t("nav.applications"), roles: [...P, ...STAFF], render: (a) => <Applications id={a} /> },
    { id: "participants", label: t("nav.participants"), roles: STAFF, render: () => <Participants /> },
    { id: "tariffs", label: t("nav.tariffs"), roles: [...P, ...STAFF], render: () => <Tariffs /> },
    { id: "balance", label: t("nav.balance"), roles: [R.OPERATOR, R.ACCOUNTANT, R.AUDITOR, R.ADMIN, R.METERING_ENGINEER], render: (a) => <BalanceRuns runId={a} /> },
    { id: "invoice-runs", label: t("nav.invoice_runs"), roles: [R.OPERATOR, R.ACCOUNTANT, R.AUDITOR, R.ADMIN], render: (a) => <InvoiceRuns runId={a} /> },
    { id: "payments-import", label: t("nav.payments_import"), roles: [R.ACCOUNTANT, R.ADMIN], render: () => <PaymentsImport /> },
    { id: "aging", label: t("nav.aging"), roles: [...P, R.OPERATOR, R.ACCOUNTANT, R.AUDITOR, R.ADMIN], render: () => <Aging /> },
    { id: "users", label: t("nav.users"), roles: [R.PARTICIPANT_ADMIN, R.ADMIN, R.AUDITOR], render: () => <Users /> },
    { id: "audit", label: t("nav.audit"), roles: [R.ADMIN, R.AUDITOR], render: () => <Audit /> },
  ];
}

function parseHash(): [string, string] {
  const h = location.hash.replace(/^#\/?/, "");
  const [page, ...rest] = h.split("/");
  return [page || "", decodeURIComponent(rest.join("/"))];
}

export function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [booting, setBooting] = useState(true);
  const [, setLangTick] = useState(0);
  const [route, setRoute] = useState(parseHash());

  useEffect(() => onSession(setSession), []);
  useEffect(() => onLang(() => setLangTick((x) => x + 1)), []);
  useEffect(() => {
    const f = () => setRoute(parseHash());
    addEventListener("hashchange", f);
    return () => removeEventListener("hashchange", f);
  }, []);
  useEffect(() => {
    document.documentElement.lang = currentLang();
    // A session cookie from before (a reload): a new access token from it.
    refresh().finally(() => setBooting(false));
  }, []);

  if (booting) return <p class="loading" role="status">{t("common.loading")}</p>;
  if (!session) return <SignIn />;

  const visible = pages().filter((p) => p.roles.some((r) => session.roles.includes(r)));
  const [pageId, arg] = route;
  const home = visible[0]?.id ?? "";
  const page = visible.find((p) => p.id === pageId) ?? visible.find((p) => p.id === home);
  useTitle(page?.label);

  return (
    <div class="shell">
      <a class="skip" href="#main">{t("nav.skip")}</a>
      <header>
        <span class="brand">Gridbill</span>
        <span class="who">
          {t(isParticipant() ? "shell.user_account" : "shell.console")} · {session.username}
        </span>
        <LangSwitch />
        <button type="button" onClick={() => void signOut()}>
          {t("shell.sign_out")}
        </button>
      </header>
      <nav class="menu" aria-label={t("nav.menu")}>
        <ul>
          {visible.map((p) => (
            <li>
              <a href={`#/${p.id}`} aria-current={p === page ? "page" : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {page ? (
          <>
            <h1>{page.label}</h1>
            <SectionTitle.Provider value={page.label}>{page.render(arg)}</SectionTitle.Provider>
          </>
        ) : (
          <p>{t("shell.no_pages")}</p>
        )}
      </main>
    </div>
  );
}

function useTitle(label?: string) {
  useEffect(() => {
    document.title = label ? `${label} · Gridbill` : "Gridbill";
  }, [label]);
}

function LangSwitch() {
  return (
    <label class="lang">
      <span>{t("shell.language")}</span>{" "}
      <select
        value={currentLang()}
        onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}
        data-testid="lang"
      >
        {LANGS.map((l) => (
          <option value={l}>{t(`lang.${l}`)}</option>
        ))}
      </select>
    </label>
  );
}

function SignIn() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  useTitle(t("signin.title"));

  async function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!username.trim()) errs.username = t("form.required");
    if (!password) errs.password = t("form.required");
    setErrors(errs);
    setMessage("");
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      const ce = toCallError(err);
      setMessage(
        ce.kind === "unavailable"
          ? t("error.unavailable")
          : /locked/.test(ce.message)
            ? t("signin.locked", { until: time(Date.parse(ce.message.replace(/^.*locked until /, ""))) })
            : ce.kind === "unauthenticated"
              ? t("signin.wrong")
              : ce.message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="signin">
      <div class="signin-top">
        <span class="brand">Gridbill</span>
        <LangSwitch />
      </div>
      <h1>{t("signin.title")}</h1>
      <form onSubmit={submit} noValidate>
        <Field id="username" label={t("signin.username")} error={errors.username}>
          <input {...inputProps("username", errors.username)} autoComplete="username" value={username}
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="password" label={t("signin.password")} error={errors.password}>
          <input {...inputProps("password", errors.password)} type="password" autoComplete="current-password"
            value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </Field>
        {message && <p class="error" role="alert">{message}</p>}
        <button type="submit" disabled={busy}>
          {busy ? t("common.working") : t("signin.submit")}
        </button>
      </form>
    </main>
  );
}

export { hasRole };
