// The audit trail of every call through the gateway, newest first, with
// filters by principal, method, participant and time.
import { useState } from "preact/hooks";
import { api } from "../api";
import { t, time } from "../i18n";
import { Async, Badge, Field, Table, inputProps, useCall } from "../ui";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { AuditEntry } from "../gen/gridbill/gateway/v1/gateway_pb";

export function Audit() {
  const [filters, setFilters] = useState({ principal: "", method: "", participantId: "", from: "" });
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState("");
  const first = useCall(async () => {
    const r = await api.audit.listAuditEntries({
      principal: filters.principal,
      method: filters.method,
      participantId: filters.participantId,
      startTime: filters.from ? timestampFromMs(Date.parse(`${filters.from}T00:00:00+05:00`)) : undefined,
      pageSize: 200,
    });
    setRows(r.entries);
    setNext(r.nextPageToken);
    return r;
  }, [filters]);
  async function more() {
    const r = await api.audit.listAuditEntries({ ...filters, startTime: undefined, pageSize: 200, pageToken: next });
    setRows([...rows, ...r.entries]);
    setNext(r.nextPageToken);
  }
  function submit(e: Event) {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value.trim();
    setFilters({ principal: v("au-principal"), method: v("au-method"), participantId: v("au-participant"), from: v("au-from") });
  }
  return (
    <>
      <form class="filters" onSubmit={submit}>
        <Field id="au-principal" label={t("audit.principal")}><input {...inputProps("au-principal")} /></Field>
        <Field id="au-method" label={t("audit.method")}><input {...inputProps("au-method")} /></Field>
        <Field id="au-participant" label={t("common.participant_id")}><input {...inputProps("au-participant")} /></Field>
        <Field id="au-from" label={t("audit.from")}><input {...inputProps("au-from")} type="date" /></Field>
        <button type="submit">{t("audit.apply")}</button>
      </form>
      <Async state={first}>
        {() => (
          <Table
            caption={t("audit.caption")}
            rows={rows}
            pageSize={50}
            more={next ? () => void more() : null}
            columns={[
              { label: t("history.when"), cell: (e) => time(e.callTime, true) },
              { label: t("audit.principal"), cell: (e) => e.principal || "—" },
              { label: t("audit.method"), cell: (e) => e.method.replace(/^\/gridbill\./, "") },
              { label: t("common.participant_id"), cell: (e) => (e.participantId ? <code>{e.participantId.slice(0, 8)}</code> : "—") },
              { label: t("audit.code"), cell: (e) => (e.code === 0 ? <Badge tone="ok" text="OK" /> : <Badge tone="bad" text={String(e.code)} />) },
              { label: t("audit.duration"), cell: (e) => `${(Number(e.durationUs) / 1000).toFixed(1)} ms`, numeric: true },
              { label: t("audit.transport"), cell: (e) => e.transport },
            ]}
          />
        )}
      </Async>
    </>
  );
}
