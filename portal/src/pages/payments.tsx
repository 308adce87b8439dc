// Payments with their allocation to documents, and the reconciliation
// statement (opening balance, charges, payments, closing) for a chosen period.
import { useState } from "preact/hooks";
import { api, isParticipant } from "../api";
import { date, money, t, today } from "../i18n";
import { Async, Field, Section, Table, inputProps, useCall } from "../ui";
import { myParticipant } from "./common";

function parseDate(s: string) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? { year: +m[1], month: +m[2], day: +m[3] } : undefined;
}
const iso = (d: { year: number; month: number; day: number }) =>
  `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;

export function Payments() {
  const own = isParticipant() ? myParticipant() : "";
  const [pid, setPid] = useState(own);
  const list = useCall(() => api.payments.listPayments({ participantId: pid, pageSize: 500 }), [pid]);
  const now = today();
  const [from, setFrom] = useState(iso({ year: now.year, month: 1, day: 1 }));
  const [to, setTo] = useState(iso(now));
  const [asked, setAsked] = useState<{ from: string; to: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const statement = useCall(async () => {
    if (!asked) return null;
    return (await api.payments.getStatement({ participantId: pid, fromDate: parseDate(asked.from), toDate: parseDate(asked.to) })).statement ?? null;
  }, [asked, pid]);

  function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!parseDate(from)) errs["st-from"] = t("form.date_invalid");
    if (!parseDate(to)) errs["st-to"] = t("form.date_invalid");
    if (!errs["st-from"] && !errs["st-to"] && from > to) errs["st-to"] = t("form.date_order");
    if (!pid) errs["st-pid"] = t("form.required");
    setErrors(errs);
    if (Object.keys(errs).length === 0) setAsked({ from, to });
  }

  return (
    <>
      {!own && (
        <Field id="st-pid" label={t("common.participant_id")} error={errors["st-pid"]}>
          <input {...inputProps("st-pid", errors["st-pid"])} value={pid} onChange={(e) => setPid((e.target as HTMLInputElement).value.trim())} />
        </Field>
      )}
      <Section title={t("payments.title")}>
        <Async state={list}>
          {(d) => (
            <Table
              caption={t("payments.caption")}
              rows={d.payments}
              columns={[
                { label: t("payments.reference"), cell: (p) => p.reference },
                { label: t("payments.value_date"), cell: (p) => date(p.valueDate) },
                { label: t("documents.contract"), cell: (p) => p.contractNumber },
                { label: t("payments.amount"), cell: (p) => money(p.amountTiyn), numeric: true },
                { label: t("payments.allocated_to"), cell: (p) => p.allocations.map((a) => `${a.documentNumber}: ${money(a.amountTiyn)}`).join("; ") || "—" },
                { label: t("payments.unallocated"), cell: (p) => money(p.unallocatedTiyn), numeric: true },
              ]}
            />
          )}
        </Async>
      </Section>
      <Section title={t("payments.statement")}>
        <form class="filters" onSubmit={submit} noValidate>
          <Field id="st-from" label={t("payments.from")} error={errors["st-from"]}>
            <input {...inputProps("st-from", errors["st-from"])} type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id="st-to" label={t("payments.to")} error={errors["st-to"]}>
            <input {...inputProps("st-to", errors["st-to"])} type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="submit">{t("payments.show_statement")}</button>
        </form>
        {asked && (
          <Async state={statement}>
            {(s) =>
              s && (
                <>
                  <dl class="figures">
                    <dt>{t("payments.opening")}</dt><dd>{money(s.openingTiyn)}</dd>
                    <dt>{t("dashboard.charged")}</dt><dd>{money(s.chargedTiyn)}</dd>
                    <dt>{t("dashboard.paid")}</dt><dd>{money(s.paidTiyn)}</dd>
                    <dt>{t("payments.closing")}</dt><dd data-testid="closing">{money(s.closingTiyn)}</dd>
                  </dl>
                  <Table
                    caption={t("payments.statement_caption", { from: date(s.fromDate), to: date(s.toDate) })}
                    rows={s.entries}
                    columns={[
                      { label: t("payments.date"), cell: (x) => date(x.date) },
                      { label: t("payments.kind"), cell: (x) => x.kind },
                      { label: t("payments.reference"), cell: (x) => x.reference },
                      { label: t("documents.contract"), cell: (x) => x.contractNumber },
                      { label: t("dashboard.charged"), cell: (x) => money(x.chargedTiyn), numeric: true },
                      { label: t("dashboard.paid"), cell: (x) => money(x.paidTiyn), numeric: true },
                    ]}
                  />
                </>
              )
            }
          </Async>
        )}
      </Section>
    </>
  );
}
