// Metering points with their readings as charts (a day at 15-minute
// resolution, a month by day), completeness, VEE findings, and the
// revisions of a corrected day.
import { useState } from "preact/hooks";
import { api, isParticipant } from "../api";
import { clock, dayLabel, energy, num, period, t, today } from "../i18n";
import { Async, Field, Section, Table, inputProps, useCall } from "../ui";
import { Chart } from "../chart";
import { myParticipant } from "./common";
import { Aggregation, Channel, Finding, Quality, type MeteringPoint } from "../gen/gridbill/metering/v1/metering_pb";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";

export function Points({ code }: { code?: string }) {
  const pid = isParticipant() ? myParticipant() : "";
  const list = useCall(() => api.points.listMeteringPoints({ participantId: pid, pageSize: 500 }), [pid]);
  return (
    <>
      <Async state={list}>
        {(d) => (
          <Table
            caption={t("points.caption")}
            rows={d.points}
            rowKey={(p) => p.code}
            columns={[
              { label: t("points.code"), cell: (p) => <a href={`#/points/${encodeURIComponent(p.code)}`} aria-current={p.code === code ? "true" : undefined}>{p.code}</a> },
              { label: t("points.name"), cell: (p) => p.name },
              { label: t("points.substation"), cell: (p) => p.substationCode },
              { label: t("points.meter"), cell: (p) => p.meterSerial },
            ]}
          />
        )}
      </Async>
      {code && <PointDetail code={code} point={list.data?.points.find((p) => p.code === code)} />}
    </>
  );
}

function channelOf(p?: MeteringPoint): Channel {
  return p?.channels[0]?.channel ?? Channel.ACTIVE_RECEIVED;
}

function PointDetail({ code, point }: { code: string; point?: MeteringPoint }) {
  const now = today();
  const [month, setMonth] = useState(`${now.year}-${String(now.month).padStart(2, "0")}`);
  const [day, setDay] = useState("");
  const [revision, setRevision] = useState(0); // 0 = latest
  const channel = channelOf(point);
  const [y, m] = month.split("-").map(Number);
  const monthly = useCall(
    () => api.readings.getReadings({ pointCode: code, channel, range: { case: "period", value: { year: y, month: m } }, aggregation: Aggregation.DAY }),
    [code, month, channel],
  );
  const completeness = useCall(
    () => api.readings.getCompleteness({ pointCodes: [code], participantId: isParticipant() ? myParticipant() : "", period: { year: y, month: m } }),
    [code, month],
  );
  const chosenDay = day || lastDayWithData(monthly.data?.values ?? []) || `${month}-01`;
  const daily = useCall(() => {
    const start = Date.parse(`${chosenDay}T00:00:00+05:00`);
    return api.readings.getReadings({
      pointCode: code,
      channel,
      range: { case: "timeRange", value: { start: timestampFromMs(start), end: timestampFromMs(start + 86_400_000) } },
      aggregation: Aggregation.NATIVE,
      asOf: revision ? { selector: { case: "revision", value: revision } } : { selector: { case: "latest", value: true } },
    });
  }, [code, chosenDay, revision, channel]);

  return (
    <Section title={t("points.detail", { code })}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Field id="pt-month" label={t("points.month")}>
          <input {...inputProps("pt-month")} type="month" value={month} onChange={(e) => { setMonth((e.target as HTMLInputElement).value); setDay(""); }} />
        </Field>
        <Field id="pt-day" label={t("points.day")}>
          <input {...inputProps("pt-day")} type="date" value={chosenDay} onChange={(e) => setDay((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="pt-rev" label={t("points.revision")}>
          <select {...inputProps("pt-rev")} value={String(revision)} onChange={(e) => setRevision(Number((e.target as HTMLSelectElement).value))}>
            <option value="0">{t("points.latest")}</option>
            {[1, 2, 3, 4, 5].map((r) => <option value={String(r)}>{t("points.revision_n", { n: r })}</option>)}
          </select>
        </Field>
      </form>
      <h3>{t("points.month_chart", { period: period({ year: y, month: m }) })}</h3>
      <Async state={monthly}>
        {(r) => (
          <>
            <p data-testid="month-total">{t("points.total", { total: energy(r.totalWh) })}</p>
            <Chart label={t("points.month_chart", { period: period({ year: y, month: m }) })} bars unit={t("unit.kwh")}
              xs={r.values.map((v) => Number(v.start?.seconds ?? 0n))} ys={r.values.map((v) => Number(v.valueWh) / 1000)} />
          </>
        )}
      </Async>
      <Async state={completeness}>
        {(c) => (
          <Table
            caption={t("points.completeness")}
            rows={c.entries}
            columns={[
              { label: t("points.expected"), cell: (e) => num(e.expected), numeric: true },
              { label: t("points.measured"), cell: (e) => num(e.measured), numeric: true },
              { label: t("points.estimated"), cell: (e) => num(e.estimated), numeric: true },
              { label: t("points.edited"), cell: (e) => num(e.edited), numeric: true },
              { label: t("points.missing"), cell: (e) => num(e.missing), numeric: true },
            ]}
          />
        )}
      </Async>
      <h3>{t("points.day_chart", { day: chosenDay })}</h3>
      <Async state={daily}>
        {(r) => (
          <>
            <Chart label={t("points.day_chart", { day: chosenDay })} unit={t("unit.kwh")}
              xs={r.values.map((v) => Number(v.start?.seconds ?? 0n))} ys={r.values.map((v) => (v.quality === Quality.MISSING ? null : Number(v.valueWh) / 1000))} />
            <Table
              caption={t("points.day_table", { day: chosenDay })}
              pageSize={96}
              rows={r.values}
              columns={[
                { label: t("points.interval"), cell: (v) => `${dayLabel(Number(v.start?.seconds ?? 0n) * 1000)} ${clock(Number(v.start?.seconds ?? 0n) * 1000)}` },
                { label: t("points.value"), cell: (v) => energy(v.valueWh), numeric: true },
                { label: t("points.quality"), cell: (v) => t(`quality.${Quality[v.quality] ?? "UNSPECIFIED"}`) },
                { label: t("points.revision"), cell: (v) => v.revision, numeric: true },
                { label: t("points.findings"), cell: (v) => v.findings.map((f) => t(`finding.${Finding[f] ?? "UNSPECIFIED"}`)).join(", ") || "—" },
              ]}
            />
          </>
        )}
      </Async>
    </Section>
  );
}

function lastDayWithData(values: { start?: { seconds: bigint }; valueWh: bigint }[]): string {
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i].valueWh !== 0n && values[i].start) {
      const d = new Date(Number(values[i].start!.seconds) * 1000 + 5 * 3600_000);
      return d.toISOString().slice(0, 10);
    }
  }
  return "";
}
