// Regulated tariffs: non-overlapping validity per service, the tariff in
// force on a date, and the split of a billing month by tariff changes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "gridbill/domain/civil.h"
#include "model.h"
#include "store.h"

namespace gridbill::contracts {

// Update-mask paths UpdateTariff accepts; the service is immutable.
inline constexpr std::string_view kTariffUpdatable[] = {"price_per_kwh", "valid_from", "valid_to",
                                                        "order_reference", "note"};

// The slices of `period` covered by `tariffs` (one service, any order,
// non-overlapping), with hours counted in `zone`.
PeriodTariffs SliceTariffs(std::vector<Tariff> tariffs, const BillingPeriod& period,
                           absl::TimeZone zone);

// A regulator's order changing a service's tariff from a date.
struct TariffChange {
  ServiceType service_type = ServiceType::kUnspecified;
  absl::CivilDay valid_from;  // D: the first day of the new price
  Decimal price_per_kwh;
  std::string order_reference;
  std::string note;
  int64_t expected_version = 0;  // of the tariff in force on D-1; 0: no check
};

struct TariffChanged {
  Tariff closed;   // the tariff that was in force on D-1, now ending on D-1
  Tariff created;  // the new tariff from D
};

class Tariffs {
 public:
  Tariffs(Store& store, const Clock& clock, absl::TimeZone zone)
      : store_(store), clock_(clock), zone_(zone) {}

  absl::StatusOr<Tariff> Create(const Tariff& input, const Caller& who);
  absl::StatusOr<Tariff> Get(const std::string& id);
  absl::StatusOr<ListPage<Tariff>> List(ServiceType service, const PageRequest& page);
  absl::StatusOr<Tariff> Update(const Tariff& input, const Mask& mask, int64_t expected_version,
                                const std::string& reason, const Caller& who);
  // The tariff in force on D-1 ends on D-1 and a new one starts on D (until
  // the closed one's end, or open-ended), in one transaction, both recorded
  // in the history with the order. FAILED_PRECONDITION when no tariff is in
  // force on D-1 (create one instead) or one already starts on D.
  absl::StatusOr<TariffChanged> Change(const TariffChange& change, const Caller& who);
  // NOT_FOUND when no tariff of `service` is in force on `day`.
  absl::StatusOr<Tariff> InForce(ServiceType service, absl::CivilDay day);
  absl::StatusOr<PeriodTariffs> ForPeriod(ServiceType service, const BillingPeriod& period);
  absl::StatusOr<paging::PageOf<ChangeEntry>> History(const std::string& id,
                                                      const paging::Page& page, const Caller& who);

 private:
  absl::Status Validate(const Tariff& t, const std::string& self_id);

  Store& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
};

// The tariff as (field, text) pairs for history diffs.
FieldTexts FieldsOf(const Tariff& t);

}  // namespace gridbill::contracts
