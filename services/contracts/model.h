// The contracts service's domain model: plain structs and enums, no gRPC, no SQL.
//
// Enum values equal the proto numbers so the edge converts by a checked cast;
// Name() gives the value's name without its prefix ("TRANSMISSION"), which is
// what the database stores and what messages and histories show.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/paging.h"
#include "gridbill/domain/civil.h"
#include "gridbill/domain/decimal.h"

namespace gridbill::contracts {

enum class ServiceType { kUnspecified, kTransmission, kTechnicalDispatching, kBalancing, kGridUse };
enum class ReferenceKind {
  kUnspecified,
  kRegion,
  kVoltageLevel,
  kSubstation,
  kServiceType,
  kParticipantRole,
  kDocumentType,
  kPowerLine,
  kBank,
  kUnit
};
enum class ParticipantRole {
  kUnspecified,
  kGenerator,
  kConsumer,
  kDistributionCompany,
  kEnergySupplier,
  kSingleBuyer,
  kTrader,
  kExporter,
  kImporter
};
enum class ParticipantStatus { kUnspecified, kActive, kSuspended, kTerminated };
enum class ContractState { kUnspecified, kDraft, kActive, kSuspended, kTerminated };
enum class ApplicationType {
  kUnspecified,
  kDeclaredVolumes,
  kContractConclusion,
  kContractAmendment,
  kMeteringCorrection,
  kMeteringPointConnection
};
enum class ApplicationState {
  kUnspecified,
  kDraft,
  kSubmitted,
  kInReview,
  kApproved,
  kRejected,
  kClosed
};

namespace internal {
template <typename E>
struct EnumNames;
#define GRIDBILL_ENUM_NAMES(E, ...)                                       \
  template <>                                                             \
  struct EnumNames<E> {                                                   \
    static constexpr const char* kNames[] = {"UNSPECIFIED", __VA_ARGS__}; \
  }
GRIDBILL_ENUM_NAMES(ServiceType, "TRANSMISSION", "TECHNICAL_DISPATCHING", "BALANCING", "GRID_USE");
GRIDBILL_ENUM_NAMES(ReferenceKind, "REGION", "VOLTAGE_LEVEL", "SUBSTATION", "SERVICE_TYPE",
                    "PARTICIPANT_ROLE", "DOCUMENT_TYPE", "POWER_LINE", "BANK", "UNIT");
GRIDBILL_ENUM_NAMES(ParticipantRole, "GENERATOR", "CONSUMER", "DISTRIBUTION_COMPANY",
                    "ENERGY_SUPPLIER", "SINGLE_BUYER", "TRADER", "EXPORTER", "IMPORTER");
GRIDBILL_ENUM_NAMES(ParticipantStatus, "ACTIVE", "SUSPENDED", "TERMINATED");
GRIDBILL_ENUM_NAMES(ContractState, "DRAFT", "ACTIVE", "SUSPENDED", "TERMINATED");
GRIDBILL_ENUM_NAMES(ApplicationType, "DECLARED_VOLUMES", "CONTRACT_CONCLUSION",
                    "CONTRACT_AMENDMENT", "METERING_CORRECTION", "METERING_POINT_CONNECTION");
GRIDBILL_ENUM_NAMES(ApplicationState, "DRAFT", "SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED",
                    "CLOSED");
#undef GRIDBILL_ENUM_NAMES
}  // namespace internal

// The name of an enum value without its prefix, e.g. "TRANSMISSION".
template <typename E>
constexpr const char* Name(E value) {
  const auto& names = internal::EnumNames<E>::kNames;
  auto i = static_cast<size_t>(value);
  return i < std::size(names) ? names[i] : "UNKNOWN";
}

// The enum value with `name`, or nullopt.
template <typename E>
std::optional<E> FromName(std::string_view name) {
  const auto& names = internal::EnumNames<E>::kNames;
  for (size_t i = 0; i < std::size(names); ++i) {
    if (std::string_view(names[i]) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// The enum value with proto number `number`, or nullopt when out of range.
template <typename E>
std::optional<E> FromNumber(int number) {
  if (number < 0 || static_cast<size_t>(number) >= std::size(internal::EnumNames<E>::kNames)) {
    return std::nullopt;
  }
  return static_cast<E>(number);
}

// All values except UNSPECIFIED, for table-driven code and tests.
template <typename E>
std::vector<E> AllValues() {
  std::vector<E> out;
  for (size_t i = 1; i < std::size(internal::EnumNames<E>::kNames); ++i) {
    out.push_back(static_cast<E>(i));
  }
  return out;
}

// A set of update-mask paths, already checked against the allowed ones.
using Mask = std::vector<std::string>;
inline bool Has(const Mask& mask, std::string_view path) {
  for (const auto& p : mask) {
    if (p == path) return true;
  }
  return false;
}

// One page of a list (gridbill/base/paging.h): the page size and the sort
// key of the last row already returned; the stores read keyset.
using PageRequest = paging::Page;
template <typename T>
using ListPage = paging::PageOf<T>;

// ---------------------------------------------------------------------------
// History

struct FieldChange {
  std::string field;
  std::string old_value;
  std::string new_value;
  friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

struct ChangeEntry {
  int64_t version = 0;
  std::string actor;
  absl::Time change_time;
  std::string action;  // "create", "update", "amend", "transition", "status"
  std::string reason;
  std::vector<FieldChange> changes;
  std::string request_id;
};

// The resources that keep a history.
enum class Resource { kReferenceRecord, kParticipant, kContract, kTariff, kApplication };

// A resource rendered as (field, text) pairs, for computing history diffs.
using FieldTexts = std::vector<std::pair<std::string, std::string>>;
// The fields whose text differs between `before` and `after` (same field order).
std::vector<FieldChange> Diff(const FieldTexts& before, const FieldTexts& after);

// "YYYY-MM-DD" or "" when unset.
std::string DateText(const std::optional<absl::CivilDay>& day);

// ---------------------------------------------------------------------------
// Reference data

struct RegionDetails {
  std::string kato_code;
};
struct VoltageLevelDetails {
  int nominal_kv = 0;
};
struct SubstationDetails {
  std::string region_code;
  std::string voltage_level_code;
};
struct PowerLineDetails {
  std::string from_substation_code;
  std::string to_substation_code;
  std::string voltage_level_code;
  int64_t length_m = 0;
};
struct BankDetails {
  std::string bik;
  std::string bin;
};
using ReferenceDetails = std::variant<std::monostate, RegionDetails, VoltageLevelDetails,
                                      SubstationDetails, PowerLineDetails, BankDetails>;

struct ReferenceRecord {
  std::string id;
  ReferenceKind kind = ReferenceKind::kUnspecified;
  std::string code;
  std::string name;
  std::string name_kk;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  ReferenceDetails details;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
};

struct ReferenceFilter {
  ReferenceKind kind = ReferenceKind::kUnspecified;  // unspecified: all kinds
  std::optional<absl::CivilDay> valid_on;
  std::string query;  // code or name contains, case-insensitive
  std::string code;   // exact code
};

// ---------------------------------------------------------------------------
// Participants

struct BankAccount {
  std::string iik;
  std::string bik;
  std::string bank_name;
  std::string kbe;
};

struct Contact {
  std::string name;
  std::string position;
  std::string phone;
  std::string email;
};

struct Participant {
  std::string id;
  std::string bin;
  std::string eic;
  std::string legal_name;
  std::string short_name;
  std::string legal_address;
  std::string postal_address;
  std::string region_code;
  std::optional<BankAccount> bank_account;
  std::vector<Contact> contacts;
  std::vector<ParticipantRole> roles;
  ParticipantStatus status = ParticipantStatus::kUnspecified;
  std::string vat_certificate;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
};

struct ParticipantFilter {
  ParticipantStatus status = ParticipantStatus::kUnspecified;
  ParticipantRole role = ParticipantRole::kUnspecified;
  std::string region_code;
  std::string query;  // BIN, short or legal name contains
  std::string bin;
  std::string id;  // set for participant-scoped callers: only themselves
};

// ---------------------------------------------------------------------------
// Contracts

inline constexpr int kDefaultDueDay = 20;

struct PaymentTerms {
  int due_day = kDefaultDueDay;
  Decimal prepayment_share;
};

struct Contract {
  std::string id;
  std::string number;
  std::string participant_id;
  ServiceType service_type = ServiceType::kUnspecified;
  std::optional<absl::CivilDay> signed_on;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  ContractState state = ContractState::kUnspecified;
  PaymentTerms payment_terms;
  std::vector<std::string> metering_point_codes;
  std::string accounting_scheme_id;
  int amendment_count = 0;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
};

struct ContractFilter {
  std::string participant_id;
  ServiceType service_type = ServiceType::kUnspecified;
  ContractState state = ContractState::kUnspecified;
  std::optional<absl::CivilDay> valid_on;
  std::string query;  // number contains
};

// What an update of an active or suspended contract carries besides fields.
struct AmendmentInfo {
  std::string reason;
  std::string amendment_number;
  std::optional<absl::CivilDay> effective_date;
};

// ---------------------------------------------------------------------------
// Tariffs

struct Tariff {
  std::string id;
  ServiceType service_type = ServiceType::kUnspecified;
  Decimal price_per_kwh;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  std::string order_reference;
  std::string note;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
};

// The part of a billing period one tariff covers.
struct TariffSlice {
  Tariff tariff;
  absl::CivilDay from_date;
  absl::CivilDay to_date;
  absl::Time start_time;  // local midnight at from_date
  absl::Time end_time;    // local midnight after to_date (exclusive)
  int hours = 0;
};

struct PeriodTariffs {
  std::vector<TariffSlice> slices;
  int period_hours = 0;
  bool fully_covered = false;
};

// ---------------------------------------------------------------------------
// Applications

struct DeclaredVolume {
  ServiceType service_type = ServiceType::kUnspecified;
  int64_t volume_wh = 0;
};

struct Application {
  std::string id;
  std::string number;
  std::string participant_id;
  ApplicationType type = ApplicationType::kUnspecified;
  ApplicationState state = ApplicationState::kUnspecified;
  std::optional<BillingPeriod> period;
  std::string contract_id;
  std::vector<DeclaredVolume> declared_volumes;
  std::string subject;
  std::string body;
  std::optional<absl::Time> submit_time;
  std::optional<absl::Time> due_time;
  bool overdue = false;  // computed at read time
  std::string resolution;
  std::optional<absl::Time> decide_time;
  std::optional<absl::Time> close_time;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;
};

struct ApplicationComment {
  std::string id;
  std::string application_id;
  std::string author;
  std::string text;
  absl::Time create_time;
};

struct ApplicationFilter {
  std::string participant_id;
  ApplicationType type = ApplicationType::kUnspecified;
  ApplicationState state = ApplicationState::kUnspecified;
  std::optional<BillingPeriod> period;
  bool overdue_only = false;
  absl::Time now;  // the instant "overdue" is judged at
};

// Which applications CountApplications looks at.
struct ApplicationCountFilter {
  TimeRange submitted;  // submit_time within [start, end)
  std::string participant_id;
  ApplicationType type = ApplicationType::kUnspecified;
  absl::Time now;
};

struct ApplicationCounts {
  int64_t received = 0;
  int64_t processed = 0;
  int64_t closed = 0;
  int64_t overdue = 0;
  std::map<ApplicationState, int64_t> by_state;
};

// Processing deadlines in days per application type (from the config).
struct ApplicationDeadlines {
  int declared_volumes = 5;
  int contract_conclusion = 30;
  int contract_amendment = 15;
  int metering_correction = 10;
  int metering_point_connection = 30;

  int DaysFor(ApplicationType type) const;
};

}  // namespace gridbill::contracts
