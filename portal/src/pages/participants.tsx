// Market participants, searchable by name or BIN.
import { useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { Async, Field, Table, inputProps, useCall } from "../ui";
import { ParticipantRole, ParticipantStatus } from "../gen/gridbill/contracts/v1/contracts_pb";
import { Badge } from "../ui";

export function Participants() {
  const [query, setQuery] = useState("");
  const [token, setToken] = useState("");
  const list = useCall(async () => {
    const out = [];
    let pageToken = "";
    do {
      const r = await api.participants.listParticipants({ query, pageSize: 500, pageToken });
      out.push(...r.participants);
      pageToken = r.nextPageToken;
    } while (pageToken && out.length < 2000);
    return out;
  }, [query, token]);
  return (
    <>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setQuery(((e.target as HTMLFormElement).elements.namedItem("pq") as HTMLInputElement).value.trim()); setToken(String(Date.now())); }}>
        <Field id="pq" label={t("participants.search")}>
          <input {...inputProps("pq")} type="search" />
        </Field>
        <button type="submit">{t("common.search")}</button>
      </form>
      <Async state={list}>
        {(rows) => (
          <Table
            caption={t("participants.caption", { n: rows.length })}
            rows={rows}
            rowKey={(p) => p.id}
            columns={[
              { label: t("participants.name"), cell: (p) => p.shortName },
              { label: t("participants.bin"), cell: (p) => p.bin },
              { label: t("participants.roles"), cell: (p) => p.roles.map((r) => t(`participant_role.${ParticipantRole[r] ?? "UNSPECIFIED"}`)).join(", ") },
              { label: t("participants.status"), cell: (p) => (
                <Badge text={t(`participant_status.${ParticipantStatus[p.status] ?? "UNSPECIFIED"}`)} tone={p.status === ParticipantStatus.ACTIVE ? "ok" : "warn"} />
              ) },
              { label: t("participants.id"), cell: (p) => <code>{p.id}</code> },
            ]}
          />
        )}
      </Async>
    </>
  );
}
