// A participant's dashboard: the current billing period and its state,
// month-to-date consumption per service, the estimated accrual (when the
// forecasting service offers it), the account balance, the latest
// documents and the open applications. Each block has its own call: a
// service that is not running shows so in its block only.
import { api } from "../api";
import { energy, money, date, period, t, today } from "../i18n";
import { Async, Section, Table, useCall } from "../ui";
import { applicationState, applicationType, documentType, myParticipant, periodState, serviceName } from "./common";
import { ApplicationState } from "../gen/gridbill/contracts/v1/contracts_pb";
import { Channel, Aggregation } from "../gen/gridbill/metering/v1/metering_pb";
import { Code, ConnectError } from "@connectrpc/connect";

export function Dashboard() {
  const pid = myParticipant();
  const now = today();
  const current = { year: now.year, month: now.month };
  const periodCall = useCall(async () => {
    try {
      return (await api.periods.getPeriod({ period: current })).period ?? null;
    } catch (e) {
      if (ConnectError.from(e).code === Code.NotFound) return undefined; // not opened yet
      throw e;
    }
  }, []);
  const balance = useCall(() => api.payments.getAccountBalance({ participantId: pid }), [pid]);
  const docs = useCall(() => api.documents.listDocuments({ participantId: pid, pageSize: 5 }), [pid]);
  const apps = useCall(() => api.applications.listApplications({ participantId: pid, pageSize: 100 }), [pid]);
  const consumption = useCall(() => monthToDate(pid, current), [pid]);

  return (
    <div class="dashboard">
      <div class="cards">
        <Section title={t("dashboard.period")}>
          <Async state={periodCall}>
            {(p) => (
              <p class="figure" data-testid="period">
                {period(current)} {p === undefined ? periodState(undefined) : periodState(p?.state)}
              </p>
            )}
          </Async>
        </Section>
        <Section title={t("dashboard.balance")}>
          <Async state={balance}>
            {(b) => (
              <dl class="figures">
                <dt>{t("dashboard.balance_due")}</dt>
                <dd data-testid="balance">{money(b.total?.balanceTiyn)}</dd>
                <dt>{t("dashboard.charged")}</dt>
                <dd data-testid="charged">{money(b.total?.chargedTiyn)}</dd>
                <dt>{t("dashboard.paid")}</dt>
                <dd data-testid="paid">{money(b.total?.paidTiyn)}</dd>
              </dl>
            )}
          </Async>
        </Section>
        <Section title={t("dashboard.estimate")}>
          <Estimate />
        </Section>
      </div>
      <Section title={t("dashboard.consumption")}>
        <Async state={consumption}>
          {(rows) => (
            <Table
              caption={t("dashboard.consumption_caption", { period: period(current) })}
              rows={rows}
              columns={[
                { label: t("common.service"), cell: (r) => serviceName(r.service) },
                { label: t("dashboard.points"), cell: (r) => r.points, numeric: true },
                { label: t("dashboard.volume"), cell: (r) => energy(r.wh), numeric: true },
              ]}
            />
          )}
        </Async>
      </Section>
      <Section title={t("dashboard.latest_documents")}>
        <Async state={docs}>
          {(d) => (
            <Table
              caption={t("dashboard.latest_documents")}
              rows={d.documents}
              columns={[
                { label: t("documents.number"), cell: (x) => <a href={`#/documents`}>{x.number}</a> },
                { label: t("documents.type"), cell: (x) => documentType(x.type) },
                { label: t("documents.period"), cell: (x) => period(x.period) },
                { label: t("documents.issued"), cell: (x) => date(x.issueDate) },
                { label: t("documents.total"), cell: (x) => money(x.totalTiyn), numeric: true },
              ]}
            />
          )}
        </Async>
      </Section>
      <Section title={t("dashboard.open_applications")}>
        <Async state={apps}>
          {(a) => (
            <Table
              caption={t("dashboard.open_applications")}
              rows={a.applications.filter(
                (x) => ![ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.CLOSED].includes(x.state),
              )}
              columns={[
                { label: t("applications.number"), cell: (x) => <a href={`#/applications/${x.id}`}>{x.number || x.subject}</a> },
                { label: t("applications.type"), cell: (x) => applicationType(x.type) },
                { label: t("applications.state"), cell: (x) => applicationState(x.state, x.overdue) },
              ]}
            />
          )}
        </Async>
      </Section>
    </div>
  );
}

// Month-to-date consumption per service: the readings of each contract's
// metering points this month (active energy received), summed.
async function monthToDate(pid: string, p: { year: number; month: number }) {
  const contracts = (await api.contracts.listContracts({ participantId: pid, pageSize: 100 })).contracts;
  const byService = new Map<number, { service: number; points: number; wh: bigint }>();
  const jobs: Promise<void>[] = [];
  for (const c of contracts) {
    const row = byService.get(c.serviceType) ?? { service: c.serviceType, points: 0, wh: 0n };
    byService.set(c.serviceType, row);
    for (const code of c.meteringPointCodes.slice(0, 50)) {
      row.points++;
      jobs.push(
        api.readings
          .getReadings({
            pointCode: code,
            channel: Channel.ACTIVE_RECEIVED,
            range: { case: "period", value: p },
            aggregation: Aggregation.MONTH,
          })
          .then((r) => {
            row.wh += r.totalWh;
          }),
      );
    }
  }
  await Promise.all(jobs);
  return [...byService.values()];
}

// The month-to-date accrual estimate, when the forecasting service has such
// a call and answers it; otherwise "not available".
function Estimate() {
  const method = Object.keys(
    (api.forecast as unknown as Record<string, unknown>),
  ).find((m) => /estimate/i.test(m));
  const est = useCall(async () => {
    if (!method) return null;
    const f = (api.forecast as unknown as Record<string, (r: object) => Promise<Record<string, unknown>>>)[method];
    return f({ participantId: myParticipant() });
  }, [method]);
  if (!method || est.error || (!est.loading && !est.data)) {
    return <p class="muted" data-testid="estimate">{t("dashboard.estimate_na")}</p>;
  }
  if (est.loading) return <p class="loading">{t("common.loading")}</p>;
  const d = est.data as Record<string, unknown>;
  const tiyn = Object.entries(d).filter(([k, v]) => /tiyn/i.test(k) && (typeof v === "bigint" || typeof v === "number"));
  return (
    <dl class="figures" data-testid="estimate">
      {tiyn.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{money(v as bigint)}</dd>
        </>
      ))}
    </dl>
  );
}
