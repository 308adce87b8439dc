// Balance runs: start one for a period, follow it live to the end, then its
// results by participant and service and by node with losses, and the
// difference between two runs.
import { useState } from "preact/hooks";
import { api, hasRole, newRequestId, toCallError, type CallError } from "../api";
import { energy, num, period, t, time, today } from "../i18n";
import { Async, ErrorBox, Field, Progress, Section, Table, inputProps, useCall, useInterval } from "../ui";
import { jobRunning, jobState, serviceName } from "./common";
import { RunType } from "../gen/gridbill/balance/v1/balance_pb";
import { Role } from "../gen/gridbill/common/v1/common_pb";

function lastMonth() {
  const d = today();
  return d.month === 1 ? `${d.year - 1}-12` : `${d.year}-${String(d.month - 1).padStart(2, "0")}`;
}
export const splitPeriod = (p: string) => {
  const [year, month] = p.split("-").map(Number);
  return { year, month };
};

export function BalanceRuns({ runId }: { runId?: string }) {
  const [per, setPer] = useState(lastMonth());
  const [type, setType] = useState(String(RunType.PRELIMINARY));
  const [failure, setFailure] = useState<CallError | null>(null);
  const [periodError, setPeriodError] = useState("");
  const runs = useCall(() => api.balance.listRuns({ period: splitPeriod(per), pageSize: 100 }), [per]);
  const anyRunning = (runs.data?.runs ?? []).some((r) => jobRunning(r.job?.state));
  useInterval(() => runs.reload(), 1000, anyRunning);

  async function start(e: Event) {
    e.preventDefault();
    setFailure(null);
    if (!/^\d{4}-\d{2}$/.test(per)) {
      setPeriodError(t("form.required"));
      return;
    }
    setPeriodError("");
    try {
      const r = await api.balance.startRun({ requestId: newRequestId(), period: splitPeriod(per), type: Number(type) });
      runs.reload();
      if (r.run) location.hash = `#/balance/${r.run.id}`;
    } catch (err) {
      setFailure(toCallError(err));
    }
  }

  return (
    <>
      <form class="filters" onSubmit={start} noValidate>
        <Field id="br-period" label={t("balance.period")} error={periodError}>
          <input {...inputProps("br-period", periodError)} type="month" value={per} onInput={(e) => setPer((e.target as HTMLInputElement).value)} />
        </Field>
        {hasRole(Role.OPERATOR, Role.ADMIN) && (
          <>
            <Field id="br-type" label={t("balance.type")}>
              <select {...inputProps("br-type")} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
                {[RunType.PRELIMINARY, RunType.FINAL, RunType.CORRECTION, RunType.VERIFICATION].map((x) => (
                  <option value={String(x)}>{t(`balance_type.${RunType[x]}`)}</option>
                ))}
              </select>
            </Field>
            <button type="submit">{t("balance.start")}</button>
          </>
        )}
      </form>
      {failure && <ErrorBox error={failure} />}
      <Async state={runs}>
        {(d) => (
          <Table
            caption={t("balance.caption", { period: period(splitPeriod(per)) })}
            rows={d.runs}
            rowKey={(r) => r.id}
            columns={[
              { label: t("balance.run"), cell: (r) => <a href={`#/balance/${r.id}`}>{r.id.slice(0, 8)}</a> },
              { label: t("balance.type"), cell: (r) => t(`balance_type.${RunType[r.type] ?? "UNSPECIFIED"}`) },
              { label: t("balance.state"), cell: (r) => jobState(r.job?.state) },
              { label: t("balance.progress"), cell: (r) => <Progress done={r.job?.done ?? 0n} total={r.job?.total ?? 0n} label={t("balance.progress")} /> },
              { label: t("balance.started"), cell: (r) => time(r.job?.startTime) },
              { label: t("balance.by"), cell: (r) => r.createdBy },
            ]}
          />
        )}
      </Async>
      {runId && <RunDetail id={runId} others={(runs.data?.runs ?? []).map((r) => r.id).filter((x) => x !== runId)} />}
    </>
  );
}

function RunDetail({ id, others }: { id: string; others: string[] }) {
  const run = useCall(async () => (await api.balance.getRun({ runId: id })).run!, [id]);
  const running = jobRunning(run.data?.job?.state);
  useInterval(() => run.reload(), 500, running);
  const totals = useCall(
    () => (running || !run.data ? Promise.resolve(null) : api.balance.listRunTotals({ runId: id, pageSize: 1000 })),
    [id, running, !!run.data],
  );
  const [other, setOther] = useState("");
  const diff = useCall(() => (other ? api.balance.diffRuns({ baseRunId: other, otherRunId: id }) : Promise.resolve(null)), [id, other]);
  return (
    <Section title={t("balance.run_detail", { id: id.slice(0, 8) })}>
      <Async state={run}>
        {(r) => (
          <>
            <p data-testid="run-state">{jobState(r.job?.state)} {r.job?.summary}</p>
            <Progress done={r.job?.done ?? 0n} total={r.job?.total ?? 0n} label={t("balance.progress")} />
            {r.job?.error && <p class="error" role="alert">{r.job.error}</p>}
            {r.summary?.closure && (
              <dl class="figures">
                <dt>{t("balance.supply")}</dt><dd>{energy(r.summary.closure.supplyWh)}</dd>
                <dt>{t("balance.consumption")}</dt><dd>{energy(r.summary.closure.consumptionWh)}</dd>
                <dt>{t("balance.losses")}</dt><dd>{energy(r.summary.closure.gridLossesWh + r.summary.closure.nodeLossesWh)}</dd>
                <dt>{t("balance.residual")}</dt><dd>{energy(r.summary.closure.residualWh)}</dd>
              </dl>
            )}
          </>
        )}
      </Async>
      <Async state={totals}>
        {(d) =>
          d && (
            <>
              <Table
                caption={t("balance.by_participant")}
                rows={d.services}
                columns={[
                  { label: t("common.participant_id"), cell: (s) => <code>{s.participantId.slice(0, 8)}</code> },
                  { label: t("common.service"), cell: (s) => serviceName(s.serviceType) },
                  { label: t("balance.actual"), cell: (s) => energy(s.actualWh), numeric: true },
                  { label: t("balance.declared"), cell: (s) => (s.hasDeclaration ? energy(s.declaredWh) : "—"), numeric: true },
                  { label: t("balance.imbalance"), cell: (s) => energy(s.imbalanceWh), numeric: true },
                ]}
              />
              <Table
                caption={t("balance.by_node")}
                rows={d.nodes}
                columns={[
                  { label: t("balance.node"), cell: (n) => n.nodeCode },
                  { label: t("balance.inflow"), cell: (n) => energy(n.inflowWh), numeric: true },
                  { label: t("balance.outflow"), cell: (n) => energy(n.outflowWh), numeric: true },
                  { label: t("balance.losses"), cell: (n) => energy(n.lossesWh), numeric: true },
                  { label: t("balance.losses_pct"), cell: (n) => `${num(n.lossesPercent?.value ?? "0", 2)} %`, numeric: true },
                ]}
              />
            </>
          )
        }
      </Async>
      {others.length > 0 && (
        <>
          <Field id="br-diff" label={t("balance.compare_with")}>
            <select {...inputProps("br-diff")} value={other} onChange={(e) => setOther((e.target as HTMLSelectElement).value)}>
              <option value="">{t("form.choose")}</option>
              {others.map((o) => <option value={o}>{o.slice(0, 8)}</option>)}
            </select>
          </Field>
          <Async state={diff}>
            {(d) =>
              d && (
                <Table
                  caption={t("balance.diff")}
                  rows={d.services}
                  columns={[
                    { label: t("common.participant_id"), cell: (s) => <code>{s.participantId.slice(0, 8)}</code> },
                    { label: t("common.service"), cell: (s) => serviceName(s.serviceType) },
                    { label: t("balance.base"), cell: (s) => energy(s.baseWh), numeric: true },
                    { label: t("balance.other"), cell: (s) => energy(s.otherWh), numeric: true },
                    { label: t("balance.delta"), cell: (s) => energy(s.deltaWh), numeric: true },
                  ]}
                />
              )
            }
          </Async>
        </>
      )}
    </Section>
  );
}
