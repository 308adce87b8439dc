// Uploading a readings file (CSV or 80020): the service checks the whole file
// first and names each bad line (nothing is stored then); a file that passes
// becomes an import job whose progress and summary are shown as it runs.
import { useState } from "preact/hooks";
import { api, isParticipant, newRequestId, toCallError, type CallError } from "../api";
import { num, t } from "../i18n";
import { ErrorBox, Field, Progress, Section, Table, inputProps, useInterval } from "../ui";
import { jobRunning, jobState } from "./common";
import { EnergyUnit, ImportFormat, Source, TextEncoding, type GetImportJobResponse } from "../gen/gridbill/metering/v1/metering_pb";

export function Upload() {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState("csv");
  const [unit, setUnit] = useState("kwh");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<CallError | null>(null);
  const [jobId, setJobId] = useState("");
  const [job, setJob] = useState<GetImportJobResponse | null>(null);
  const [busy, setBusy] = useState(false);

  async function poll() {
    if (!jobId) return;
    try {
      setJob(await api.imports.getImportJob({ jobId }));
    } catch (e) {
      setRefusal(toCallError(e));
    }
  }
  useInterval(() => void poll(), 500, !!jobId && (!job || jobRunning(job.job?.state)));

  async function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!file) errs["up-file"] = t("form.required");
    setErrors(errs);
    setRefusal(null);
    setJob(null);
    setJobId("");
    if (!file) return;
    setBusy(true);
    try {
      const content = new Uint8Array(await file.arrayBuffer());
      const r = await api.imports.startImport({
        requestId: newRequestId(),
        fileName: file.name,
        content,
        format: format === "csv" ? ImportFormat.CSV : ImportFormat.XML_80020,
        unit: unit === "wh" ? EnergyUnit.WH : unit === "mwh" ? EnergyUnit.MWH : EnergyUnit.KWH,
        encoding: TextEncoding.UNSPECIFIED,
        source: isParticipant() ? Source.PARTICIPANT : Source.OPERATOR,
      });
      setJobId(r.job?.id ?? "");
    } catch (err) {
      setRefusal(toCallError(err));
    } finally {
      setBusy(false);
    }
  }

  const summary = job?.summary;
  return (
    <>
      <form onSubmit={submit} noValidate>
        <Field id="up-file" label={t("upload.file")} error={errors["up-file"]} hint={t("upload.hint")}>
          <input {...inputProps("up-file", errors["up-file"])} type="file" accept=".csv,.xml,text/csv,application/xml"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </Field>
        <Field id="up-format" label={t("upload.format")}>
          <select {...inputProps("up-format")} value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value)}>
            <option value="csv">CSV</option>
            <option value="80020">XML 80020</option>
          </select>
        </Field>
        <Field id="up-unit" label={t("upload.unit")}>
          <select {...inputProps("up-unit")} value={unit} onChange={(e) => setUnit((e.target as HTMLSelectElement).value)}>
            <option value="wh">{t("unit.wh")}</option>
            <option value="kwh">{t("unit.kwh")}</option>
            <option value="mwh">{t("unit.mwh")}</option>
          </select>
        </Field>
        <button type="submit" disabled={busy}>{busy ? t("common.working") : t("upload.submit")}</button>
      </form>
      {refusal && (
        <Section title={t("upload.refused")}>
          <p role="alert" data-testid="upload-refused">{t("upload.nothing_stored")}</p>
          {refusal.violations.length ? (
            <Table
              caption={t("upload.findings")}
              rows={refusal.violations}
              columns={[
                { label: t("upload.where"), cell: (v) => lineOf(v.description) },
                { label: t("upload.reason"), cell: (v) => v.description.replace(/^line \d+( \([^)]*\))?: /, "") },
              ]}
            />
          ) : (
            <ErrorBox error={refusal} />
          )}
        </Section>
      )}
      {job && (
        <Section title={t("upload.job")}>
          <p data-testid="job-state">{jobState(job.job?.state)}</p>
          <Progress done={job.job?.done ?? 0n} total={job.job?.total ?? 0n} label={t("upload.progress")} />
          {summary && (
            <dl class="figures" data-testid="import-summary">
              <dt>{t("upload.accepted")}</dt><dd>{num(summary.accepted)}</dd>
              <dt>{t("upload.unchanged")}</dt><dd>{num(summary.unchanged)}</dd>
              <dt>{t("upload.revised")}</dt><dd>{num(summary.revised)}</dd>
              <dt>{t("upload.rejected")}</dt><dd>{num(summary.rejected)}</dd>
              <dt>{t("upload.flagged")}</dt><dd>{num(summary.flagged)}</dd>
            </dl>
          )}
          {summary && summary.rejections.length > 0 && (
            <Table
              caption={t("upload.findings")}
              rows={summary.rejections}
              columns={[
                { label: t("upload.where"), cell: (r) => r.key },
                { label: t("upload.reason"), cell: (r) => r.reason },
              ]}
            />
          )}
          {job.job?.error && <p class="error" role="alert">{job.job.error}</p>}
        </Section>
      )}
    </>
  );
}

function lineOf(description: string): string {
  const m = /^line (\d+)/.exec(description);
  return m ? t("upload.line", { line: m[1] }) : "—";
}
