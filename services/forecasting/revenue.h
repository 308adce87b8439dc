// Revenue from forecast volumes (pure): a month's volume priced by the
// tariff in force on each of its days, VAT at the rate in force on the
// turnover date, and the tariff scenarios of a what-if.
//
// Pricing a month: the volume is split over the month's days in proportion
// to their number (the last part takes the rounding remainder), each run of
// days at one price is charged and rounded half-up to the tiyn once
// (ChargeFor); the price of a day is the scenario's from its date (for its
// service), else the tariff in force that day, after the last tariff the
// last one's price and before the first the first one's (both stated in
// `basis`). VAT is the month's net x the rate in force on the last day of
// the month (a monthly service's turnover date), rounded once; gross = net
// + VAT.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "gridbill/domain/decimal.h"
#include "gridbill/domain/money.h"

namespace gridbill::forecasting {

// A tariff as the contracts service knows it.
struct TariffInfo {
  int service_type = 0;
  Decimal price_per_kwh;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;  // inclusive; nullopt: open-ended
};

// A VAT rate in force from a day (until the next one).
struct VatRate {
  absl::CivilDay from;
  Decimal percent;
};

// "2019-01-01=12,2026-01-01=16" (the config's vat_rates); INVALID_ARGUMENT
// on `field` when malformed or empty.
absl::StatusOr<std::vector<VatRate>> ParseVatRates(std::string_view text,
                                                   std::string_view field = "vat_rates");
// The rate in force on `day`: the one with the latest `from` on or before
// it; FAILED_PRECONDITION when none is.
absl::StatusOr<Decimal> VatOn(const std::vector<VatRate>& rates, absl::CivilDay day);

// A what-if: `service_type` at `price_per_kwh` from `from` on.
struct TariffScenario {
  int service_type = 0;
  Decimal price_per_kwh;
  absl::CivilDay from;
};

struct Revenue {
  int64_t volume_wh = 0;
  Money net, vat, gross;
  Decimal vat_percent;
  std::string basis;  // the prices used, e.g. "2.482 to 2026-12-31, 2.6 (scenario) from 2027-01-01"
};

// The revenue of `volume_wh` of `service_type` in `month` (see the file
// comment). FAILED_PRECONDITION "tariff: ..." when the service has no
// tariff at all; VAT as VatOn.
absl::StatusOr<Revenue> RevenueOf(int service_type, absl::CivilMonth month, int64_t volume_wh,
                                  const std::vector<TariffInfo>& tariffs,
                                  const std::vector<VatRate>& vat,
                                  const TariffScenario* scenario = nullptr);

// What invoicing bills for one participant's month of a service: a service
// is never billed a negative quantity, so a net volume <= 0 (a net exporter's
// transmission) is 0 net, VAT and gross, with `basis` saying why; above 0 as
// RevenueOf. `volume_wh` keeps the volume given. Errors as RevenueOf.
absl::StatusOr<Revenue> BilledRevenueOf(int service_type, absl::CivilMonth month, int64_t volume_wh,
                                        const std::vector<TariffInfo>& tariffs,
                                        const std::vector<VatRate>& vat);

}  // namespace gridbill::forecasting
