// A declared monthly volume (or a monthly meter reading) for a billing
// period: checked in the browser first (a number, a date inside the period,
// every required field), then sent as a DECLARED_VOLUMES application and
// submitted. A form with an error sends nothing.
import { useState } from "preact/hooks";
import { api, newRequestId, toCallError, type CallError } from "../api";
import { t, today } from "../i18n";
import { ErrorBox, Field, inputProps, useCall } from "../ui";
import { SERVICE_TYPES, myParticipant, serviceName } from "./common";
import { ApplicationState, ApplicationType } from "../gen/gridbill/contracts/v1/contracts_pb";

export interface DeclareForm {
  period: string; // YYYY-MM
  date: string; // YYYY-MM-DD, inside the period
  service: string;
  volume: string; // kWh
  contract: string;
  note: string;
}

// Field id -> message; empty when the form may be sent.
export function checkDeclare(f: DeclareForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (!/^\d{4}-\d{2}$/.test(f.period)) e["dv-period"] = t("form.required");
  if (!f.date) e["dv-date"] = t("form.required");
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date)) e["dv-date"] = t("form.date_invalid");
  else if (!e["dv-period"] && !f.date.startsWith(`${f.period}-`)) e["dv-date"] = t("form.date_outside", { period: f.period });
  if (!f.service) e["dv-service"] = t("form.required");
  if (!f.volume.trim()) e["dv-volume"] = t("form.required");
  else if (!/^\d+(\.\d{1,3})?$/.test(f.volume.trim())) e["dv-volume"] = t("form.volume_number");
  if (!f.contract) e["dv-contract"] = t("form.required");
  return e;
}

export function Declare() {
  const pid = myParticipant();
  const now = today();
  const contracts = useCall(() => api.contracts.listContracts({ participantId: pid, pageSize: 100 }), [pid]);
  const [form, setForm] = useState<DeclareForm>({
    period: `${now.year}-${String(now.month).padStart(2, "0")}`,
    date: "",
    service: "",
    volume: "",
    contract: "",
    note: "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<CallError | null>(null);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: keyof DeclareForm) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  async function submit(e: Event) {
    e.preventDefault();
    setDone("");
    setFailure(null);
    const errs = checkDeclare(form);
    setErrors(errs);
    if (Object.keys(errs).length) {
      document.getElementById(Object.keys(errs)[0])?.focus();
      return;
    }
    setBusy(true);
    try {
      const [year, month] = form.period.split("-").map(Number);
      const [whole, frac = ""] = form.volume.trim().split(".");
      const wh = BigInt(whole) * 1000n + BigInt((frac + "000").slice(0, 3));
      const created = await api.applications.createApplication({
        requestId: newRequestId(),
        application: {
          participantId: pid,
          type: ApplicationType.DECLARED_VOLUMES,
          period: { year, month },
          contractId: form.contract,
          declaredVolumes: [{ serviceType: Number(form.service), volumeWh: wh }],
          subject: t("declare.subject", { period: form.period }),
          body: `${t("declare.reading_date")}: ${form.date}\n${form.note}`,
        },
      });
      const app = created.application!;
      await api.applications.transitionApplication({
        requestId: newRequestId(),
        id: app.id,
        targetState: ApplicationState.SUBMITTED,
        expectedVersion: app.version,
      });
      setDone(app.number || app.id);
    } catch (err) {
      const ce = toCallError(err);
      // Errors the service names by field go next to that field.
      const mapped: Record<string, string> = {};
      for (const [field, why] of Object.entries(ce.fields)) {
        if (/volume/.test(field)) mapped["dv-volume"] = why;
        else if (/period/.test(field)) mapped["dv-period"] = why;
        else if (/contract/.test(field)) mapped["dv-contract"] = why;
      }
      setErrors(mapped);
      if (!Object.keys(mapped).length) setFailure(ce);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate class="form">
      <p>{t("declare.intro")}</p>
      <Field id="dv-period" label={t("declare.period")} error={errors["dv-period"]}>
        <input {...inputProps("dv-period", errors["dv-period"])} type="month" required value={form.period} onInput={set("period")} />
      </Field>
      <Field id="dv-date" label={t("declare.reading_date")} error={errors["dv-date"]}>
        <input {...inputProps("dv-date", errors["dv-date"])} type="date" required value={form.date} onInput={set("date")} />
      </Field>
      <Field id="dv-contract" label={t("declare.contract")} error={errors["dv-contract"]}>
        <select {...inputProps("dv-contract", errors["dv-contract"])} required value={form.contract} onChange={set("contract")}>
          <option value="">{t("form.choose")}</option>
          {(contracts.data?.contracts ?? []).map((c) => (
            <option value={c.id}>{c.number} · {serviceName(c.serviceType)}</option>
          ))}
        </select>
      </Field>
      <Field id="dv-service" label={t("common.service")} error={errors["dv-service"]}>
        <select {...inputProps("dv-service", errors["dv-service"])} required value={form.service} onChange={set("service")}>
          <option value="">{t("form.choose")}</option>
          {SERVICE_TYPES.map((s) => <option value={String(s)}>{serviceName(s)}</option>)}
        </select>
      </Field>
      <Field id="dv-volume" label={t("declare.volume")} error={errors["dv-volume"]} hint={t("declare.volume_hint")}>
        <input {...inputProps("dv-volume", errors["dv-volume"])} inputMode="decimal" required value={form.volume} onInput={set("volume")} />
      </Field>
      <Field id="dv-note" label={t("declare.note")}>
        <textarea {...inputProps("dv-note")} value={form.note} onInput={set("note")} />
      </Field>
      {failure && <ErrorBox error={failure} />}
      {done && <p class="ok" role="status" data-testid="declared">{t("declare.sent", { number: done })}</p>}
      <button type="submit" disabled={busy}>{busy ? t("common.working") : t("declare.submit")}</button>
    </form>
  );
}
