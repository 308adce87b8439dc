// Contracts with their service, validity and state, the tariffs in force
// today and their history; for the TSO's staff all contracts, searchable.
import { useState } from "preact/hooks";
import { api, isParticipant } from "../api";
import { date, t, today, time } from "../i18n";
import { Async, Field, Section, Table, inputProps, useCall } from "../ui";
import { contractState, myParticipant, serviceName } from "./common";

export function Contracts() {
  const pid = isParticipant() ? myParticipant() : "";
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState("");
  const list = useCall(() => api.contracts.listContracts({ participantId: pid, query, pageSize: 200 }), [pid, query]);
  const services = useCall(async () => {
    const d = today();
    const types = new Set((list.data?.contracts ?? []).map((c) => c.serviceType));
    const out = [];
    for (const s of types) {
      try {
        const r = await api.tariffs.getTariffInForce({ serviceType: s, date: d });
        out.push({ service: s, tariff: r.tariff });
      } catch {
        out.push({ service: s, tariff: undefined });
      }
    }
    return out;
  }, [list.data]);

  return (
    <>
      {!pid && (
        <form class="filters" onSubmit={(e) => { e.preventDefault(); setQuery(((e.target as HTMLFormElement).elements.namedItem("q") as HTMLInputElement).value); }}>
          <Field id="q" label={t("common.search")}>
            <input {...inputProps("q")} type="search" />
          </Field>
          <button type="submit">{t("common.search")}</button>
        </form>
      )}
      <Async state={list}>
        {(d) => (
          <Table
            caption={t("contracts.caption")}
            rows={d.contracts}
            columns={[
              { label: t("contracts.number"), cell: (c) => (
                <button type="button" class="link" onClick={() => setSelected(c.id)}>{c.number}</button>
              ) },
              { label: t("common.service"), cell: (c) => serviceName(c.serviceType) },
              { label: t("contracts.valid_from"), cell: (c) => date(c.validFrom) },
              { label: t("contracts.valid_to"), cell: (c) => (c.validTo?.year ? date(c.validTo) : t("contracts.open_ended")) },
              { label: t("contracts.state"), cell: (c) => contractState(c.state) },
              { label: t("contracts.points"), cell: (c) => c.meteringPointCodes.length, numeric: true },
            ]}
          />
        )}
      </Async>
      <Section title={t("contracts.tariffs_in_force")}>
        <Async state={services}>
          {(rows) => (
            <Table
              caption={t("contracts.tariffs_in_force")}
              rows={rows}
              columns={[
                { label: t("common.service"), cell: (r) => serviceName(r.service) },
                { label: t("tariffs.price"), cell: (r) => (r.tariff ? `${r.tariff.pricePerKwh} ${t("unit.per_kwh")}` : "—"), numeric: true },
                { label: t("tariffs.valid_from"), cell: (r) => date(r.tariff?.validFrom) },
                { label: t("tariffs.order"), cell: (r) => r.tariff?.orderReference ?? "—" },
              ]}
            />
          )}
        </Async>
        <p><a href="#/tariffs">{t("contracts.tariff_history")}</a></p>
      </Section>
      {selected && <ContractHistory id={selected} />}
    </>
  );
}

function ContractHistory({ id }: { id: string }) {
  const h = useCall(() => api.contracts.listContractHistory({ id, pageSize: 100 }), [id]);
  return (
    <Section title={t("contracts.history")}>
      <Async state={h}>
        {(d) => (
          <Table
            caption={t("contracts.history")}
            rows={d.entries}
            columns={[
              { label: t("history.version"), cell: (e) => String(e.version), numeric: true },
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
