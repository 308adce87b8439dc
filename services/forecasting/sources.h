// What forecasting reads from the other services, as interfaces (the gRPC
// clients are in grpc_sources.h; tests pass fakes).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "model.h"
#include "revenue.h"

namespace gridbill::forecasting {

struct ParticipantInfo {
  std::string id;
  std::string bin;
  std::string region_code;
};

struct ContractInfo {
  std::string id;
  std::string participant_id;
  int service_type = 0;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
};

// The contracts service: participants and contracts.
class Directory {
 public:
  virtual ~Directory() = default;
  virtual absl::StatusOr<std::vector<ParticipantInfo>> Participants() = 0;
  // NOT_FOUND for an unknown contract.
  virtual absl::StatusOr<ContractInfo> Contract(const std::string& id) = 0;
};

// One period's billed volumes: the balance run it is billed from.
struct BilledMonth {
  std::string run_id;
  std::vector<MonthVolume> volumes;
};

// The balance service: the billing run of a period and its totals.
class VolumeSource {
 public:
  virtual ~VolumeSource() = default;
  // nullopt when the period has no billing run.
  virtual absl::StatusOr<std::optional<BilledMonth>> Billed(absl::CivilMonth period) = 0;
};

// The contracts service's tariffs (every service, every validity).
class PriceSource {
 public:
  virtual ~PriceSource() = default;
  virtual absl::StatusOr<std::vector<TariffInfo>> Tariffs() = 0;
};

// The dated VAT rates: the invoicing service's table (ListVatRates), so a
// forecast's VAT is the one its invoices will carry.
class VatSource {
 public:
  virtual ~VatSource() = default;
  // Every rate, oldest first.
  virtual absl::StatusOr<std::vector<VatRate>> VatRates() = 0;
};

// The `vat_rates` setting as the source where no invoicing service is
// configured (invoicing_address empty).
class ConfiguredVatRates final : public VatSource {
 public:
  explicit ConfiguredVatRates(std::vector<VatRate> rates) : rates_(std::move(rates)) {}
  absl::StatusOr<std::vector<VatRate>> VatRates() override { return rates_; }

 private:
  std::vector<VatRate> rates_;
};

// One service's volume of an approved declared-volumes application.
struct DeclaredVolume {
  std::string participant_id;
  int service_type = 0;
  int64_t volume_wh = 0;
  std::string application_id;
};

// The contracts service's approved declared-volumes applications.
class DeclarationSource {
 public:
  virtual ~DeclarationSource() = default;
  virtual absl::StatusOr<std::vector<DeclaredVolume>> Approved(absl::CivilMonth period) = 0;
};

// What the balance service has measured of a participant's period so far:
// its latest succeeded run of the period (preliminary or final).
struct MeasuredSoFar {
  std::string run_id;
  bool final = false;
  absl::Time computed_until;
  std::vector<std::pair<int, int64_t>> volumes_wh;  // service type, Wh
};

class MeasuredSource {
 public:
  virtual ~MeasuredSource() = default;
  // nullopt when the period has no succeeded run yet.
  virtual absl::StatusOr<std::optional<MeasuredSoFar>> SoFar(const std::string& participant_id,
                                                             absl::CivilMonth period) = 0;
};

// One hour of a participant's service in a balance run.
struct ServiceHourVolume {
  int service_type = 0;
  absl::Time start;
  int64_t wh = 0;
  std::string participant_id;
};

// The balance service's hourly results: the history of the hourly models.
class HourlySource {
 public:
  virtual ~HourlySource() = default;
  // The id of `period`'s billing run; nullopt when it has none.
  virtual absl::StatusOr<std::optional<std::string>> BillingRunId(absl::CivilMonth period) = 0;
  // A run's hours of one participant, every service; participant_id empty:
  // every participant's (one read for a region's or the nation's sums).
  virtual absl::StatusOr<std::vector<ServiceHourVolume>> Hours(
      const std::string& run_id, const std::string& participant_id) = 0;
};

}  // namespace gridbill::forecasting
