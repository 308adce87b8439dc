// A participant's dashboard: the current billing period and its state,
// month-to-date consumption per service, the estimated accrual (when the
// forecasting service answers), the account balance, the latest
// documents (newest issued first) and the open applications. Each block has
// its own call: a service that is not running shows so in its block only.
import { api } from "../api";
import { energy, money, date, period, t, time, today } from "../i18n";
import { Async, Section, Table, useCall } from "../ui";
import { applicationState, applicationType, documentType, myParticipant, periodState, serviceName } from "./common";
import { ApplicationState } from "../gen/gridbill/contracts/v1/contracts_pb";
import { Channel, Aggregation } from "../gen/gridbill/metering/v1/metering_pb";
import { DocumentOrder } from "../gen/gridbill/invoicing/v1/invoicing_pb";
import { Code, ConnectError } from "@connectrpc/connect";

const abs = (v: bigint) => (v < 0n ? -v : v);
// Positive is owed, negative a credit (GetAccountBalance).
const balanceWord = (v: bigint) => (v > 0n ? t("dashboard.owed") : v < 0n ? t("dashboard.in_credit") : t("dashboard.settled"));

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
  const docs = useCall(() => api.documents.listDocuments({ participantId: pid, pageSize: 5, order: DocumentOrder.NEWEST_FIRST }), [pid]);
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
                <dd>
                  <span data-testid="balance">{money(abs(b.total?.balanceTiyn ?? 0n))}</span>{" "}
                  <span data-testid="balance-state">{balanceWord(b.total?.balanceTiyn ?? 0n)}</span>
                </dd>
                <dt>{t("dashboard.charged")}</dt>
                <dd data-testid="charged">{money(b.total?.chargedTiyn)}</dd>
                <dt>{t("dashboard.paid")}</dt>
                <dd data-testid="paid">{money(b.total?.paidTiyn)}</dd>
              </dl>
            )}
          </Async>
        </Section>
        <Section title={t("dashboard.estimate")}>
          <Estimate pid={pid} current={current} />
        </Section>
      </div>
      <Section title={t("dashboard.consumption", { period: period(current) })}>
        <Async state={consumption}>
          {(rows) => (
            <Table
              caption={t("dashboard.consumption", { period: period(current) })}
              rows={rows}
              columns={[
                { label: t("common.service"), cell: (r) => serviceName(r.service) },
                { label: t("dashboard.points"), cell: (r) => r.points, numeric: true },
                {
                  label: t("dashboard.volume"),
                  cell: (r) => (r.points === 0 ? <span class="muted">{t("dashboard.no_points")}</span> : r.measured === 0 ? <span class="muted">{t("dashboard.no_readings")}</span> : energy(r.wh)),
                  numeric: true,
                },
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
// metering points this month (active energy received), summed. One
// completeness call first tells the points with readings from those
// without: a service whose points have none yet says so instead of "0 kWh",
// and only the points with readings are read.
async function monthToDate(pid: string, p: { year: number; month: number }) {
  const [contracts, completeness] = await Promise.all([
    api.contracts.listContracts({ participantId: pid, pageSize: 100 }).then((r) => r.contracts),
    api.readings.getCompleteness({ participantId: pid, period: p }).then((r) => r.entries),
  ]);
  const withReadings = new Set(
    completeness
      .filter((c) => c.channel === Channel.ACTIVE_RECEIVED && c.measured + c.estimated + c.edited > 0n)
      .map((c) => c.pointCode),
  );
  const byService = new Map<number, { service: number; points: number; measured: number; wh: bigint }>();
  const jobs: Promise<void>[] = [];
  for (const c of contracts) {
    const row = byService.get(c.serviceType) ?? { service: c.serviceType, points: 0, measured: 0, wh: 0n };
    byService.set(c.serviceType, row);
    for (const code of c.meteringPointCodes.slice(0, 50)) {
      row.points++;
      if (!withReadings.has(code)) continue;
      row.measured++;
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

// The month-to-date accrual estimate from the forecasting service: measured
// so far plus the forecast for the rest, with its 80 % and 95 % intervals.
// When forecasting is not running, or has no forecast of this month, the
// card says so.
function Estimate({ pid, current }: { pid: string; current: { year: number; month: number } }) {
  const est = useCall(() => api.forecast.estimateMonthToDate({ participantId: pid, period: current }), [pid]);
  if (est.loading && !est.data) return <p class="loading" role="status">{t("common.loading")}</p>;
  if (est.error) {
    return (
      <p class="muted" data-testid="estimate">
        {est.error.kind === "unavailable"
          ? t("dashboard.estimate_not_running")
          : t("dashboard.estimate_none", { reason: est.error.message })}
      </p>
    );
  }
  const e = est.data!;
  return (
    <div data-testid="estimate">
      <p class="figure" data-testid="estimate-gross">{money(e.grossTiyn)}</p>
      <dl class="figures">
        <dt>{t("dashboard.estimate_80")}</dt>
        <dd data-testid="estimate-80">{t("dashboard.range", { from: money(e.grossLower80Tiyn), to: money(e.grossUpper80Tiyn) })}</dd>
        <dt>{t("dashboard.estimate_95")}</dt>
        <dd data-testid="estimate-95">{t("dashboard.range", { from: money(e.grossLower95Tiyn), to: money(e.grossUpper95Tiyn) })}</dd>
        <dt>{t("dashboard.estimate_measured")}</dt>
        <dd>{e.measuredUntil ? t("dashboard.measured_until", { percent: e.measuredPercent?.value ?? "0", until: time(e.measuredUntil) }) : t("dashboard.nothing_measured")}</dd>
      </dl>
    </div>
  );
}
