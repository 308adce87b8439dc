// Users (a participant admin: its own participant's users, and creates
// them) and API keys (admins and auditors see them; admins revoke them).
import { useState } from "preact/hooks";
import { api, hasRole, isParticipant, newRequestId, toCallError, type CallError } from "../api";
import { t, time } from "../i18n";
import { Async, Badge, ErrorBox, Field, Section, Table, inputProps, useCall } from "../ui";
import { myParticipant, roleName } from "./common";
import { Role } from "../gen/gridbill/common/v1/common_pb";

export function Users() {
  const pid = isParticipant() ? myParticipant() : "";
  const users = useCall(() => api.auth.listUsers({ participantId: pid, pageSize: 500 }), [pid]);
  const keys = useCall(
    () => (hasRole(Role.ADMIN, Role.AUDITOR) ? api.auth.listApiKeys({ includeRevoked: true, pageSize: 500 }) : Promise.resolve(null)),
    [],
  );
  const [revokeFailure, setRevokeFailure] = useState<CallError | null>(null);
  async function revoke(id: string) {
    setRevokeFailure(null);
    try {
      await api.auth.revokeApiKey({ requestId: newRequestId(), id });
      keys.reload();
    } catch (err) {
      setRevokeFailure(toCallError(err));
    }
  }
  return (
    <>
      {hasRole(Role.PARTICIPANT_ADMIN, Role.ADMIN) && <NewUser onCreated={() => users.reload()} />}
      <Section title={t("users.users")}>
        <Async state={users}>
          {(d) => (
            <Table
              caption={t("users.users")}
              rows={d.users}
              rowKey={(u) => u.id}
              columns={[
                { label: t("users.username"), cell: (u) => u.username },
                { label: t("users.roles"), cell: (u) => u.roles.map(roleName).join(", ") },
                { label: t("common.participant_id"), cell: (u) => (u.participantId ? <code>{u.participantId.slice(0, 8)}</code> : "—") },
                { label: t("users.created"), cell: (u) => time(u.createTime) },
                { label: t("users.locked"), cell: (u) => (u.lockedUntilTime ? <Badge tone="bad" text={t("users.locked_until", { time: time(u.lockedUntilTime) })} /> : "—") },
              ]}
            />
          )}
        </Async>
      </Section>
      {hasRole(Role.ADMIN, Role.AUDITOR) && (
        <Section title={t("users.api_keys")}>
          <Async state={keys}>
            {(d) =>
              d && (
                <Table
                  caption={t("users.api_keys")}
                  rows={d.apiKeys}
                  rowKey={(k) => k.id}
                  columns={[
                    { label: t("users.key_id"), cell: (k) => <code>{k.id}</code> },
                    { label: t("users.key_name"), cell: (k) => k.name },
                    { label: t("users.roles"), cell: (k) => k.roles.map(roleName).join(", ") },
                    { label: t("users.created"), cell: (k) => time(k.createTime) },
                    { label: t("users.revoked"), cell: (k) => (k.revokeTime ? <Badge tone="bad" text={time(k.revokeTime)} /> : <Badge tone="ok" text={t("users.valid")} />) },
                    ...(hasRole(Role.ADMIN)
                      ? [{
                          label: t("users.actions"),
                          cell: (k: (typeof d.apiKeys)[number]) =>
                            k.revokeTime ? "—" : (
                              <button type="button" aria-label={t("users.revoke_key", { name: k.name })} onClick={() => void revoke(k.id)}>
                                {t("users.revoke")}
                              </button>
                            ),
                        }]
                      : []),
                  ]}
                />
              )
            }
          </Async>
          {revokeFailure && <ErrorBox error={revokeFailure} />}
        </Section>
      )}
    </>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const participantAdmin = isParticipant();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState(String(participantAdmin ? Role.PARTICIPANT_USER : Role.OPERATOR));
  const [pid, setPid] = useState(participantAdmin ? myParticipant() : "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<CallError | null>(null);
  const [done, setDone] = useState("");
  const roles = participantAdmin
    ? [Role.PARTICIPANT_USER, Role.PARTICIPANT_ADMIN]
    : [Role.OPERATOR, Role.ACCOUNTANT, Role.METERING_ENGINEER, Role.AUDITOR, Role.ADMIN, Role.PARTICIPANT_USER, Role.PARTICIPANT_ADMIN];
  async function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!username.trim()) errs["nu-name"] = t("form.required");
    if (password.length < 12) errs["nu-password"] = t("users.password_rule");
    const r = Number(role);
    if ((r === Role.PARTICIPANT_USER || r === Role.PARTICIPANT_ADMIN) && !pid) errs["nu-pid"] = t("form.required");
    setErrors(errs);
    setFailure(null);
    setDone("");
    if (Object.keys(errs).length) return;
    try {
      await api.auth.createUser({ requestId: newRequestId(), user: { username: username.trim(), roles: [r], participantId: pid }, password });
      setDone(username.trim());
      setUsername("");
      setPassword("");
      onCreated();
    } catch (err) {
      setFailure(toCallError(err));
    }
  }
  return (
    <Section title={t("users.new")}>
      <form class="form" onSubmit={submit} noValidate>
        <Field id="nu-name" label={t("users.username")} error={errors["nu-name"]}>
          <input {...inputProps("nu-name", errors["nu-name"])} autoComplete="off" value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="nu-password" label={t("users.password")} error={errors["nu-password"]}>
          <input {...inputProps("nu-password", errors["nu-password"])} type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="nu-role" label={t("users.role")}>
          <select {...inputProps("nu-role")} value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {roles.map((x) => <option value={String(x)}>{roleName(x)}</option>)}
          </select>
        </Field>
        {!participantAdmin && (
          <Field id="nu-pid" label={t("common.participant_id")} error={errors["nu-pid"]}>
            <input {...inputProps("nu-pid", errors["nu-pid"])} value={pid} onInput={(e) => setPid((e.target as HTMLInputElement).value.trim())} />
          </Field>
        )}
        {failure && <ErrorBox error={failure} />}
        {done && <p class="ok" role="status">{t("users.created_ok", { name: done })}</p>}
        <button type="submit">{t("users.create")}</button>
      </form>
    </Section>
  );
}
