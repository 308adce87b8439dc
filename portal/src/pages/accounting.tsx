// Payments import (a bank statement CSV, allocated to open documents) and
// the aging of receivables.
import { useState } from "preact/hooks";
import { api, isParticipant, newRequestId, toCallError, type CallError } from "../api";
import { date, money, num, t, today } from "../i18n";
import { Async, ErrorBox, Field, Section, Table, inputProps, useCall } from "../ui";
import { myParticipant } from "./common";
import type { ImportPaymentsResponse } from "../gen/gridbill/invoicing/v1/invoicing_pb";

export function PaymentsImport() {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState("");
  const [failure, setFailure] = useState<CallError | null>(null);
  const [result, setResult] = useState<ImportPaymentsResponse | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setFailure(null);
    setResult(null);
    if (!file) {
      setError(t("form.required"));
      return;
    }
    setError("");
    try {
      setResult(await api.payments.importPayments({ requestId: newRequestId(), csv: new Uint8Array(await file.arrayBuffer()) }));
    } catch (err) {
      setFailure(toCallError(err));
    }
  }
  return (
    <>
      <form class="form" onSubmit={submit} noValidate>
        <Field id="pi-file" label={t("payments_import.file")} error={error} hint={t("payments_import.hint")}>
          <input {...inputProps("pi-file", error)} type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </Field>
        <button type="submit">{t("payments_import.submit")}</button>
      </form>
      {failure && (
        <>
          <ErrorBox error={failure} />
          {failure.violations.length > 0 && (
            <ul>{failure.violations.map((v) => <li>{v.field}: {v.description}</li>)}</ul>
          )}
        </>
      )}
      {result && (
        <Section title={t("payments_import.result")}>
          <p>{t("payments_import.counts", { created: num(result.created), present: num(result.alreadyPresent) })}</p>
          <Table
            caption={t("payments.caption")}
            rows={result.payments}
            columns={[
              { label: t("payments.reference"), cell: (p) => p.reference },
              { label: t("payments.value_date"), cell: (p) => date(p.valueDate) },
              { label: t("documents.contract"), cell: (p) => p.contractNumber },
              { label: t("payments.amount"), cell: (p) => money(p.amountTiyn), numeric: true },
              { label: t("payments.allocated_to"), cell: (p) => p.allocations.map((a) => a.documentNumber).join(", ") || "—" },
              { label: t("payments.unallocated"), cell: (p) => money(p.unallocatedTiyn), numeric: true },
            ]}
          />
        </Section>
      )}
    </>
  );
}

export function Aging() {
  const pid = isParticipant() ? myParticipant() : "";
  const aging = useCall(async () => (await api.payments.getAging({ participantId: pid, asOf: today() })).aging!, [pid]);
  return (
    <Async state={aging}>
      {(a) => (
        <Table
          caption={t("aging.caption", { date: date(a.asOf) })}
          rows={[
            [t("aging.not_due"), a.notDueTiyn],
            [t("aging.d0_30"), a.days030Tiyn],
            [t("aging.d31_60"), a.days3160Tiyn],
            [t("aging.d61_90"), a.days6190Tiyn],
            [t("aging.over_90"), a.daysOver90Tiyn],
            [t("aging.total"), a.totalTiyn],
          ] as [string, bigint][]}
          columns={[
            { label: t("aging.bucket"), cell: (r) => r[0] },
            { label: t("aging.amount"), cell: (r) => money(r[1]), numeric: true },
          ]}
        />
      )}
    </Async>
  );
}
