// Invoice runs: start one for a period (after its final balance run), follow
// it live, then its documents; the period's state and its transitions.
import { useState } from "preact/hooks";
import { api, hasRole, newRequestId, toCallError, type CallError } from "../api";
import { num, period, t, time, today } from "../i18n";
import { Async, ErrorBox, Field, Progress, Section, Table, inputProps, useCall, useInterval } from "../ui";
import { jobRunning, jobState, periodState } from "./common";
import { RunType } from "../gen/gridbill/invoicing/v1/invoicing_pb";
import { Role } from "../gen/gridbill/common/v1/common_pb";
import { splitPeriod } from "./balance";

function lastMonth() {
  const d = today();
  return d.month === 1 ? `${d.year - 1}-12` : `${d.year}-${String(d.month - 1).padStart(2, "0")}`;
}

export function InvoiceRuns({ runId }: { runId?: string }) {
  const [per, setPer] = useState(lastMonth());
  const [type, setType] = useState(String(RunType.REGULAR));
  const [failure, setFailure] = useState<CallError | null>(null);
  const periodInfo = useCall(() => api.periods.getPeriod({ period: splitPeriod(per) }), [per]);
  const runs = useCall(() => api.invoiceRuns.listInvoiceRuns({ period: splitPeriod(per), pageSize: 100 }), [per]);
  const anyRunning = (runs.data?.runs ?? []).some((r) => jobRunning(r.job?.state));
  useInterval(() => runs.reload(), 1000, anyRunning);

  async function start(e: Event) {
    e.preventDefault();
    setFailure(null);
    try {
      const r = await api.invoiceRuns.startInvoiceRun({ requestId: newRequestId(), period: splitPeriod(per), runType: Number(type) });
      runs.reload();
      if (r.run?.job) location.hash = `#/invoice-runs/${r.run.job.id}`;
    } catch (err) {
      setFailure(toCallError(err));
    }
  }

  return (
    <>
      <form class="filters" onSubmit={start} noValidate>
        <Field id="ir-period" label={t("balance.period")}>
          <input {...inputProps("ir-period")} type="month" value={per} onInput={(e) => setPer((e.target as HTMLInputElement).value)} />
        </Field>
        {hasRole(Role.OPERATOR, Role.ACCOUNTANT, Role.ADMIN) && (
          <>
            <Field id="ir-type" label={t("invoice_runs.type")}>
              <select {...inputProps("ir-type")} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
                <option value={String(RunType.REGULAR)}>{t("invoice_type.REGULAR")}</option>
                <option value={String(RunType.CORRECTION)}>{t("invoice_type.CORRECTION")}</option>
              </select>
            </Field>
            <button type="submit">{t("invoice_runs.start")}</button>
          </>
        )}
      </form>
      <Async state={periodInfo}>
        {(p) => <p>{t("invoice_runs.period_state")}: {periodState(p.period?.state)}</p>}
      </Async>
      {failure && <ErrorBox error={failure} />}
      <Async state={runs}>
        {(d) => (
          <Table
            caption={t("invoice_runs.caption", { period: period(splitPeriod(per)) })}
            rows={d.runs}
            rowKey={(r) => r.job?.id ?? ""}
            columns={[
              { label: t("balance.run"), cell: (r) => <a href={`#/invoice-runs/${r.job?.id}`}>{r.job?.id.slice(0, 8)}</a> },
              { label: t("invoice_runs.type"), cell: (r) => t(`invoice_type.${RunType[r.runType] ?? "UNSPECIFIED"}`) },
              { label: t("balance.state"), cell: (r) => jobState(r.job?.state) },
              { label: t("balance.progress"), cell: (r) => <Progress done={r.job?.done ?? 0n} total={r.job?.total ?? 0n} label={t("balance.progress")} /> },
              { label: t("invoice_runs.issued"), cell: (r) => num(r.documentsIssued), numeric: true },
              { label: t("invoice_runs.not_billed"), cell: (r) => num(r.contractsNotBilled), numeric: true },
              { label: t("invoice_runs.failed"), cell: (r) => num(r.contractsFailed), numeric: true },
              { label: t("balance.started"), cell: (r) => time(r.job?.startTime) },
            ]}
          />
        )}
      </Async>
      {runId && <InvoiceRunDetail id={runId} />}
    </>
  );
}

function InvoiceRunDetail({ id }: { id: string }) {
  const run = useCall(async () => (await api.invoiceRuns.getInvoiceRun({ id })).run!, [id]);
  const running = jobRunning(run.data?.job?.state);
  useInterval(() => run.reload(), 500, running);
  return (
    <Section title={t("invoice_runs.detail", { id: id.slice(0, 8) })}>
      <Async state={run}>
        {(r) => (
          <>
            <p data-testid="invoice-run-state">{jobState(r.job?.state)} {r.job?.summary}</p>
            <Progress done={r.job?.done ?? 0n} total={r.job?.total ?? 0n} label={t("balance.progress")} />
            <dl class="figures">
              <dt>{t("invoice_runs.issued")}</dt><dd data-testid="documents-issued">{num(r.documentsIssued)}</dd>
              <dt>{t("invoice_runs.not_billed")}</dt><dd>{num(r.contractsNotBilled)}</dd>
              <dt>{t("invoice_runs.failed")}</dt><dd>{num(r.contractsFailed)}</dd>
            </dl>
            {!running && <p><a href={`#/documents/${id}`}>{t("invoice_runs.documents")}</a></p>}
          </>
        )}
      </Async>
    </Section>
  );
}
