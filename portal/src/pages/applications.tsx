// Applications: a participant creates one, edits its draft, submits it,
// follows its state, comments and reads its history; the staff work the
// queue (deadlines, overdue first) with the workflow's actions.
import { useState } from "preact/hooks";
import { api, hasRole, isParticipant, newRequestId, toCallError, type CallError } from "../api";
import { period, t, time, today } from "../i18n";
import { Async, ErrorBox, Field, Section, Table, inputProps, useCall } from "../ui";
import { applicationState, applicationType, myParticipant } from "./common";
import { ApplicationState, ApplicationType, type Application } from "../gen/gridbill/contracts/v1/contracts_pb";
import { Role } from "../gen/gridbill/common/v1/common_pb";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";

const TYPES = [
  ApplicationType.DECLARED_VOLUMES,
  ApplicationType.CONTRACT_CONCLUSION,
  ApplicationType.CONTRACT_AMENDMENT,
  ApplicationType.METERING_CORRECTION,
  ApplicationType.METERING_POINT_CONNECTION,
];

function dueMs(a: Application): number {
  return a.dueTime ? Number(a.dueTime.seconds) * 1000 : Infinity;
}

export function Applications({ id }: { id?: string }) {
  const participant = isParticipant();
  const pid = participant ? myParticipant() : "";
  const [overdueOnly, setOverdueOnly] = useState(false);
  const list = useCall(
    () => api.applications.listApplications({ participantId: pid, overdueOnly, pageSize: 500 }),
    [pid, overdueOnly],
  );
  const rows = [...(list.data?.applications ?? [])].sort((a, b) =>
    a.overdue !== b.overdue ? (a.overdue ? -1 : 1) : dueMs(a) - dueMs(b),
  );
  return (
    <>
      {participant && <NewApplication onCreated={(app) => { list.reload(); location.hash = `#/applications/${app.id}`; }} />}
      <Section title={participant ? t("applications.mine") : t("applications.queue")}>
        {!participant && (
          <label class="check">
            <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly((e.target as HTMLInputElement).checked)} />{" "}
            {t("applications.overdue_only")}
          </label>
        )}
        <Async state={list}>
          {() => (
            <Table
              caption={participant ? t("applications.mine") : t("applications.queue")}
              rows={rows}
              rowKey={(a) => a.id}
              columns={[
                { label: t("applications.number"), cell: (a) => <a href={`#/applications/${a.id}`}>{a.number || t("applications.draft_no_number")}</a> },
                { label: t("applications.subject"), cell: (a) => a.subject },
                { label: t("applications.type"), cell: (a) => applicationType(a.type) },
                { label: t("applications.period"), cell: (a) => period(a.period) },
                { label: t("applications.state"), cell: (a) => applicationState(a.state, a.overdue) },
                { label: t("applications.due"), cell: (a) => time(a.dueTime) },
              ]}
            />
          )}
        </Async>
      </Section>
      {id && <ApplicationDetail id={id} onChange={() => list.reload()} />}
    </>
  );
}

function NewApplication({ onCreated }: { onCreated: (a: Application) => void }) {
  const now = today();
  const [type, setType] = useState(String(ApplicationType.CONTRACT_AMENDMENT));
  const [per, setPer] = useState(`${now.year}-${String(now.month).padStart(2, "0")}`);
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [contract, setContract] = useState("");
  const contracts = useCall(() => api.contracts.listContracts({ participantId: myParticipant(), pageSize: 100 }), []);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<CallError | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!subject.trim()) errs["na-subject"] = t("form.required");
    if (!/^\d{4}-\d{2}$/.test(per)) errs["na-period"] = t("form.required");
    if (Number(type) === ApplicationType.CONTRACT_AMENDMENT && !contract) errs["na-contract"] = t("form.required");
    setErrors(errs);
    setFailure(null);
    if (Object.keys(errs).length) return;
    try {
      const [year, month] = per.split("-").map(Number);
      const r = await api.applications.createApplication({
        requestId: newRequestId(),
        application: { participantId: myParticipant(), type: Number(type), period: { year, month }, contractId: contract, subject: subject.trim(), body },
      });
      setSubject("");
      setBody("");
      onCreated(r.application!);
    } catch (err) {
      const ce = toCallError(err);
      const mapped: Record<string, string> = {};
      for (const [f, why] of Object.entries(ce.fields)) {
        if (/subject/.test(f)) mapped["na-subject"] = why;
        else if (/contract/.test(f)) mapped["na-contract"] = why;
        else if (/period/.test(f)) mapped["na-period"] = why;
        else if (/body/.test(f)) mapped["na-body"] = why;
      }
      setErrors(mapped);
      if (!Object.keys(mapped).length) setFailure(ce);
    }
  }
  return (
    <Section title={t("applications.new")}>
      <form onSubmit={submit} noValidate class="form">
        <Field id="na-type" label={t("applications.type")}>
          <select {...inputProps("na-type")} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            {TYPES.map((x) => <option value={String(x)}>{applicationType(x)}</option>)}
          </select>
        </Field>
        <Field id="na-contract" label={t("declare.contract")} error={errors["na-contract"]}>
          <select {...inputProps("na-contract", errors["na-contract"])} value={contract} onChange={(e) => setContract((e.target as HTMLSelectElement).value)}>
            <option value="">{t("form.choose")}</option>
            {(contracts.data?.contracts ?? []).map((c) => <option value={c.id}>{c.number}</option>)}
          </select>
        </Field>
        <Field id="na-period" label={t("applications.period")} error={errors["na-period"]}>
          <input {...inputProps("na-period", errors["na-period"])} type="month" value={per} onInput={(e) => setPer((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="na-subject" label={t("applications.subject")} error={errors["na-subject"]}>
          <input {...inputProps("na-subject", errors["na-subject"])} required value={subject} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="na-body" label={t("applications.body")} error={errors["na-body"]}>
          <textarea {...inputProps("na-body", errors["na-body"])} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
        </Field>
        {failure && <ErrorBox error={failure} />}
        <button type="submit">{t("applications.create_draft")}</button>
      </form>
    </Section>
  );
}

function ApplicationDetail({ id, onChange }: { id: string; onChange: () => void }) {
  const app = useCall(async () => (await api.applications.getApplication({ id })).application!, [id]);
  const comments = useCall(() => api.applications.listApplicationComments({ applicationId: id, pageSize: 200 }), [id]);
  const history = useCall(() => api.applications.listApplicationHistory({ id, pageSize: 200 }), [id]);
  const [failure, setFailure] = useState<CallError | null>(null);
  const [comment, setComment] = useState("");
  const [resolution, setResolution] = useState("");
  const [edit, setEdit] = useState<{ subject: string; body: string } | null>(null);

  async function act(f: () => Promise<unknown>) {
    setFailure(null);
    try {
      await f();
      app.reload();
      comments.reload();
      history.reload();
      onChange();
    } catch (e) {
      setFailure(toCallError(e));
    }
  }
  const move = (a: Application, target: ApplicationState) =>
    act(() => api.applications.transitionApplication({ requestId: newRequestId(), id: a.id, targetState: target, resolution, expectedVersion: a.version }));
  const staff = hasRole(Role.OPERATOR, Role.METERING_ENGINEER, Role.ADMIN);
  const mayWrite = staff || isParticipant();

  return (
    <Section title={t("applications.detail")}>
      <Async state={app}>
        {(a) => (
          <>
            <dl class="figures">
              <dt>{t("applications.number")}</dt><dd>{a.number || t("applications.draft_no_number")}</dd>
              <dt>{t("applications.state")}</dt><dd data-testid="app-state">{applicationState(a.state, a.overdue)}</dd>
              <dt>{t("applications.type")}</dt><dd>{applicationType(a.type)}</dd>
              <dt>{t("applications.period")}</dt><dd>{period(a.period)}</dd>
              <dt>{t("applications.due")}</dt><dd>{time(a.dueTime)}</dd>
              <dt>{t("applications.subject")}</dt><dd>{a.subject}</dd>
              <dt>{t("applications.body")}</dt><dd class="pre">{a.body}</dd>
              {a.resolution && (<><dt>{t("applications.resolution")}</dt><dd>{a.resolution}</dd></>)}
            </dl>
            {a.state === ApplicationState.DRAFT && isParticipant() && (
              edit ? (
                <form class="form" onSubmit={(e) => { e.preventDefault(); void act(async () => {
                  await api.applications.updateApplication({ requestId: newRequestId(), application: { id: a.id, subject: edit.subject, body: edit.body },
                    updateMask: create(FieldMaskSchema, { paths: ["subject", "body"] }), expectedVersion: a.version });
                  setEdit(null);
                }); }}>
                  <Field id="ed-subject" label={t("applications.subject")}>
                    <input {...inputProps("ed-subject")} value={edit.subject} onInput={(e) => setEdit({ ...edit, subject: (e.target as HTMLInputElement).value })} />
                  </Field>
                  <Field id="ed-body" label={t("applications.body")}>
                    <textarea {...inputProps("ed-body")} value={edit.body} onInput={(e) => setEdit({ ...edit, body: (e.target as HTMLTextAreaElement).value })} />
                  </Field>
                  <button type="submit">{t("common.save")}</button>{" "}
                  <button type="button" onClick={() => setEdit(null)}>{t("common.cancel")}</button>
                </form>
              ) : (
                <p class="actions">
                  <button type="button" onClick={() => setEdit({ subject: a.subject, body: a.body })}>{t("applications.edit")}</button>
                  <button type="button" onClick={() => void move(a, ApplicationState.SUBMITTED)}>{t("applications.submit")}</button>
                </p>
              )
            )}
            {staff && !isParticipant() && a.state !== ApplicationState.DRAFT && a.state !== ApplicationState.CLOSED && (
              <div class="actions">
                <Field id="ap-resolution" label={t("applications.resolution")}>
                  <input {...inputProps("ap-resolution")} value={resolution} onInput={(e) => setResolution((e.target as HTMLInputElement).value)} />
                </Field>
                {a.state === ApplicationState.SUBMITTED && (
                  <button type="button" onClick={() => void move(a, ApplicationState.IN_REVIEW)}>{t("applications.take")}</button>
                )}
                {(a.state === ApplicationState.SUBMITTED || a.state === ApplicationState.IN_REVIEW) && (
                  <>
                    <button type="button" onClick={() => void move(a, ApplicationState.APPROVED)}>{t("applications.approve")}</button>
                    <button type="button" onClick={() => void move(a, ApplicationState.REJECTED)}>{t("applications.reject")}</button>
                  </>
                )}
                {(a.state === ApplicationState.APPROVED || a.state === ApplicationState.REJECTED) && (
                  <button type="button" onClick={() => void move(a, ApplicationState.CLOSED)}>{t("applications.close")}</button>
                )}
              </div>
            )}
            {failure && <ErrorBox error={failure} />}
          </>
        )}
      </Async>
      <h3>{t("applications.comments")}</h3>
      <Async state={comments}>
        {(c) => (
          <ul class="comments">
            {c.comments.length === 0 && <li>{t("common.none")}</li>}
            {c.comments.map((x) => (
              <li><strong>{x.author}</strong> · {time(x.createTime)}<br />{x.text}</li>
            ))}
          </ul>
        )}
      </Async>
      {mayWrite && (
        <form class="form" onSubmit={(e) => { e.preventDefault(); if (!comment.trim()) return; void act(async () => {
          await api.applications.addApplicationComment({ requestId: newRequestId(), applicationId: id, text: comment.trim() });
          setComment("");
        }); }}>
          <Field id="ap-comment" label={t("applications.comment")}>
            <textarea {...inputProps("ap-comment")} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
          </Field>
          <button type="submit">{t("applications.add_comment")}</button>
        </form>
      )}
      <h3>{t("applications.history")}</h3>
      <Async state={history}>
        {(h) => (
          <Table
            caption={t("applications.history")}
            rows={h.entries}
            columns={[
              { label: t("history.when"), cell: (e) => time(e.changeTime) },
              { label: t("history.who"), cell: (e) => e.actor },
              { label: t("history.action"), cell: (e) => e.action },
              { label: t("history.changes"), cell: (e) => e.changes.map((c) => `${c.field}: ${c.oldValue} → ${c.newValue}`).join("; ") },
            ]}
          />
        )}
      </Async>
    </Section>
  );
}
