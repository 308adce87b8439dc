// Documents (invoices, acts, ESF, credit and debit notes) with PDF and ESF
// XML download, and accruals by period and service from the documents' lines.
import { useState } from "preact/hooks";
import { api, isParticipant, toCallError, type CallError } from "../api";
import { date, energy, money, period, periodKey, t } from "../i18n";
import { Async, ErrorBox, Field, Section, Table, download, inputProps, useCall } from "../ui";
import { documentType, myParticipant, serviceName } from "./common";
import { DocumentOrder, DocumentType, type Document } from "../gen/gridbill/invoicing/v1/invoicing_pb";

// Every page of documents of a participant (or all, for the staff), newest
// issued first: with a limit, the staff see the latest documents, not the
// lowest numbers.
async function allDocuments(pid: string, runId = "", limit = 2000): Promise<Document[]> {
  const out: Document[] = [];
  let pageToken = "";
  do {
    const r = await api.documents.listDocuments({ participantId: pid, invoiceRunId: runId, pageSize: 500, pageToken, order: DocumentOrder.NEWEST_FIRST });
    out.push(...r.documents);
    pageToken = r.nextPageToken;
  } while (pageToken && out.length < limit);
  return out;
}

// Acts and ESF restate an invoice's charges: they are not owed on their own,
// so they have no due date and no open amount of their own.
function receivable(d: Document): boolean {
  return d.type !== DocumentType.ACT && d.type !== DocumentType.ESF;
}

export function Documents({ runId }: { runId?: string }) {
  const pid = isParticipant() ? myParticipant() : "";
  const [filter, setFilter] = useState("");
  const docs = useCall(() => allDocuments(pid, runId ?? "", pid ? 2000 : 500), [pid, runId]);
  const [err, setErr] = useState<CallError | null>(null);

  async function pdf(d: Document) {
    setErr(null);
    try {
      const r = await api.documents.getDocumentPdf({ id: d.id });
      download(r.fileName || `${d.number}.pdf`, r.pdf, "application/pdf");
    } catch (e) {
      setErr(toCallError(e));
    }
  }
  async function xml(d: Document) {
    setErr(null);
    try {
      const r = await api.documents.getDocumentXml({ id: d.id });
      download(r.fileName || `${d.number}.xml`, r.xml, "application/xml");
    } catch (e) {
      setErr(toCallError(e));
    }
  }

  return (
    <>
      {runId && <p>{t("documents.of_run", { id: runId })}</p>}
      <Field id="doc-filter" label={t("documents.filter")}>
        <input {...inputProps("doc-filter")} type="search" value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </Field>
      {err && <ErrorBox error={err} />}
      <Async state={docs}>
        {(list) => (
          <Table
            caption={t("documents.caption")}
            rows={list.filter((d) => !filter || `${d.number} ${d.contractNumber} ${d.customerName}`.toLowerCase().includes(filter.toLowerCase()))}
            rowKey={(d) => d.id}
            columns={[
              { label: t("documents.number"), cell: (d) => d.number, nowrap: true },
              { label: t("documents.type"), cell: (d) => documentType(d.type) },
              { label: t("documents.period"), cell: (d) => period(d.period) },
              { label: t("documents.customer"), cell: (d) => d.customerName },
              { label: t("documents.contract"), cell: (d) => d.contractNumber, nowrap: true },
              { label: t("documents.issued"), cell: (d) => date(d.issueDate), nowrap: true },
              { label: t("documents.due"), cell: (d) => (receivable(d) ? date(d.dueDate) : "—"), nowrap: true },
              { label: t("documents.total"), cell: (d) => money(d.totalTiyn), numeric: true },
              { label: t("documents.open"), cell: (d) => (receivable(d) ? money(d.openTiyn) : "—"), numeric: true },
              { label: t("documents.files"), cell: (d) => (
                <span class="actions">
                  <button type="button" onClick={() => void pdf(d)} aria-label={t("documents.pdf_of", { number: d.number })}>PDF</button>
                  {d.type === DocumentType.ESF && (
                    <button type="button" onClick={() => void xml(d)} aria-label={t("documents.xml_of", { number: d.number })}>XML</button>
                  )}
                </span>
              ) },
            ]}
          />
        )}
      </Async>
    </>
  );
}

export function Accruals() {
  const pid = isParticipant() ? myParticipant() : "";
  const docs = useCall(() => allDocuments(pid, "", pid ? 2000 : 1000), [pid]);
  return (
    <Async state={docs}>
      {(list) => {
        const rows = new Map<string, { period: Document["period"]; service: number; wh: bigint; amount: bigint; vat: bigint; total: bigint }>();
        for (const d of list) {
          if (d.type === DocumentType.ESF || d.type === DocumentType.ACT) continue; // the same charges again
          for (const l of d.lines) {
            const key = `${periodKey(d.period)}|${l.serviceType}`;
            const r = rows.get(key) ?? { period: d.period, service: l.serviceType, wh: 0n, amount: 0n, vat: 0n, total: 0n };
            const sign = d.type === DocumentType.CREDIT_NOTE ? -1n : 1n;
            r.wh += sign * l.volumeWh;
            r.amount += sign * l.amountTiyn;
            r.vat += sign * l.vatTiyn;
            r.total += sign * l.totalTiyn;
            rows.set(key, r);
          }
        }
        const sorted = [...rows.entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([, r]) => r);
        return (
          <Section title={t("accruals.title")}>
            <Table
              caption={t("accruals.caption")}
              rows={sorted}
              columns={[
                { label: t("documents.period"), cell: (r) => period(r.period) },
                { label: t("common.service"), cell: (r) => serviceName(r.service) },
                { label: t("accruals.volume"), cell: (r) => energy(r.wh), numeric: true },
                { label: t("accruals.amount"), cell: (r) => money(r.amount), numeric: true },
                { label: t("accruals.vat"), cell: (r) => money(r.vat), numeric: true },
                { label: t("documents.total"), cell: (r) => money(r.total), numeric: true },
              ]}
            />
          </Section>
        );
      }}
    </Async>
  );
}
