// Tariffs per service with their validity on a timeline (every version of
// the price, oldest first), and the versions' history for the staff.
import { api } from "../api";
import { date, t } from "../i18n";
import { Async, Section, Table, useCall } from "../ui";
import { SERVICE_TYPES, serviceName } from "./common";
import type { Tariff } from "../gen/gridbill/contracts/v1/contracts_pb";

const DAY = 86_400_000;
const ms = (d?: { year: number; month: number; day: number }) => (d?.year ? Date.UTC(d.year, d.month - 1, d.day) : NaN);

export function Tariffs() {
  const all = useCall(async () => (await api.tariffs.listTariffs({ pageSize: 500 })).tariffs, []);
  return (
    <Async state={all}>
      {(tariffs) => {
        const starts = tariffs.map((x) => ms(x.validFrom)).filter((x) => !isNaN(x));
        const lo = Math.min(...starts, Date.now());
        const hi = Math.max(...tariffs.map((x) => ms(x.validTo)).filter((x) => !isNaN(x)), Date.now()) + 180 * DAY;
        return (
          <>
            {SERVICE_TYPES.map((s) => {
              const rows = tariffs
                .filter((x) => x.serviceType === s)
                .sort((a, b) => ms(a.validFrom) - ms(b.validFrom));
              if (!rows.length) return null;
              return (
                <Section title={serviceName(s)}>
                  <Timeline rows={rows} lo={lo} hi={hi} />
                  <Table
                    caption={t("tariffs.caption", { service: serviceName(s) })}
                    rows={rows}
                    columns={[
                      { label: t("tariffs.price"), cell: (x) => `${x.pricePerKwh} ${t("unit.per_kwh")}`, numeric: true },
                      { label: t("tariffs.valid_from"), cell: (x) => date(x.validFrom) },
                      { label: t("tariffs.valid_to"), cell: (x) => (x.validTo?.year ? date(x.validTo) : t("contracts.open_ended")) },
                      { label: t("tariffs.order"), cell: (x) => x.orderReference },
                      { label: t("history.version"), cell: (x) => String(x.version), numeric: true },
                    ]}
                  />
                </Section>
              );
            })}
          </>
        );
      }}
    </Async>
  );
}

// Bars of validity on one time axis; each bar is labelled with its price and
// dates (the text carries the information, the bar only shows it).
function Timeline({ rows, lo, hi }: { rows: Tariff[]; lo: number; hi: number }) {
  const span = hi - lo || 1;
  return (
    <ol class="timeline" aria-label={t("tariffs.timeline")}>
      {rows.map((x) => {
        const from = ms(x.validFrom);
        const to = isNaN(ms(x.validTo)) ? hi : ms(x.validTo);
        const left = ((from - lo) / span) * 100;
        const width = Math.max(1, ((to - from) / span) * 100);
        return (
          <li>
            <span class="bar" data-left={left.toFixed(1)} data-width={width.toFixed(1)} ref={(el) => {
              if (el) { el.style.marginLeft = `${left}%`; el.style.width = `${width}%`; }
            }} />
            <span class="bar-label">
              {x.pricePerKwh} {t("unit.per_kwh")}: {date(x.validFrom)} – {x.validTo?.year ? date(x.validTo) : t("contracts.open_ended")}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
