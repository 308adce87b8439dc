// The balance service's domain types: accounting schemes, runs, results.
// Plain structs; enums carry the proto's numbers so conversion is a cast.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/domain/civil.h"

namespace gridbill::balance {

enum class SchemeKind { kParticipantService = 1, kNode = 2, kRegion = 3 };
enum class TermRole { kAdd = 1, kSubtract = 2, kInflow = 3, kOutflow = 4 };
enum class RunType { kPreliminary = 1, kFinal = 2, kCorrection = 3, kVerification = 4 };
enum class RunState { kPending = 1, kRunning = 2, kSucceeded = 3, kFailed = 4, kCancelled = 5 };

// Metering channels, numbered as metering.v1.Channel.
inline constexpr int kActiveReceived = 1;
inline constexpr int kActiveDelivered = 2;

struct Term {
  std::string point_code;
  int channel = 0;
  TermRole role = TermRole::kAdd;
  friend bool operator==(const Term&, const Term&) = default;
};

struct Scheme {
  int64_t id = 0;
  SchemeKind kind = SchemeKind::kParticipantService;
  std::string participant_id;
  int service_type = 0;
  std::string node_code;
  std::string name;
  std::vector<Term> terms;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  // Percent of inflow as a decimal string ("2.5"); node and region schemes.
  std::string normative_loss_percent;
  int64_t version = 0;
  std::string created_by;
  absl::Time create_time;
  std::string reason;

  bool is_participant() const { return kind == SchemeKind::kParticipantService; }
  // The subject whose versions must not overlap: "p/<participant>/<service>" or "n|r/<code>".
  std::string Subject() const;
};

struct SchemeFilter {
  int kind = 0;
  std::string participant_id;
  int service_type = 0;
  std::string node_code;
  std::optional<BillingPeriod> period;
};

struct DeclaredVolume {
  std::string participant_id;
  int service_type = 0;
  int64_t volume_wh = 0;
  std::string application_id;
  friend bool operator==(const DeclaredVolume&, const DeclaredVolume&) = default;
};

struct Quality {
  int64_t intervals = 0;
  int64_t estimated = 0;
  int64_t missing = 0;
  void Add(const Quality& o) {
    intervals += o.intervals;
    estimated += o.estimated;
    missing += o.missing;
  }
  friend bool operator==(const Quality&, const Quality&) = default;
};

struct Closure {
  int64_t supply_wh = 0;
  int64_t consumption_wh = 0;
  int64_t node_losses_wh = 0;
  int64_t grid_losses() const { return supply_wh - consumption_wh; }
  int64_t residual() const { return grid_losses() - node_losses_wh; }
};

struct RunSummary {
  int64_t service_hours = 0;
  int64_t node_hours = 0;
  int64_t hours = 0;
  int64_t point_days = 0;
  Quality quality;
  Closure closure;
  // False when the run has no node scheme (no node losses to close against).
  bool closure_checked = false;
  bool closed = false;
};

struct Run {
  int64_t id = 0;
  BillingPeriod period = *BillingPeriod::Make(2000, 1);
  RunType type = RunType::kPreliminary;
  int correction_number = 0;
  RunState state = RunState::kPending;
  int64_t done = 0;
  int64_t total = 0;
  absl::Time create_time;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> finish_time;
  std::string summary_text;
  std::string error;
  int64_t base_run_id = 0;
  std::string created_by;
  std::string request_id;
  // Inputs.
  absl::Time readings_as_of;
  absl::Time computed_until;
  std::string time_zone;
  std::string closure_tolerance_percent;
  std::vector<int64_t> scheme_ids;  // with their versions in schemes
  std::vector<int64_t> scheme_versions;
  // The versions' last days when the run started (a later CloseScheme does not count).
  std::vector<std::optional<absl::CivilDay>> scheme_valid_to;
  std::vector<DeclaredVolume> declared;
  RunSummary summary;

  bool ended() const {
    return state == RunState::kSucceeded || state == RunState::kFailed ||
           state == RunState::kCancelled;
  }
  bool billable() const { return type == RunType::kFinal || type == RunType::kCorrection; }
};

struct RunFilter {
  std::optional<BillingPeriod> period;
  int type = 0;
};

// One shard of a run: a set of schemes computed together by one worker.
// The kind of a balance run's job (libs/jobs); the job id is the run id.
inline constexpr char kRunJobKind[] = "balance.run";

struct Shard {
  int64_t run_id = 0;
  int shard_no = 0;
  std::vector<int64_t> scheme_ids;
  // Participant-scheme (point, channel) terms this shard counts in the closure
  // (each distinct term is owned by exactly one shard).
  std::vector<std::string> closure_terms;  // "point\tchannel"
  // The claim this worker holds: each claim (and takeover) increments it, so a
  // replica whose lease was taken over cannot complete the shard.
  int64_t epoch = 0;
  // The worker whose expired claim this one took over; empty for a first claim.
  std::string taken_over_from;
};

struct ServiceHour {
  std::string participant_id;
  int service_type = 0;
  absl::Time hour_start;
  int64_t actual_wh = 0;
  int64_t declared_wh = 0;
  bool has_declaration = false;
  Quality quality;
  friend bool operator==(const ServiceHour&, const ServiceHour&) = default;
};

struct NodeHour {
  std::string node_code;
  SchemeKind kind = SchemeKind::kNode;
  absl::Time hour_start;
  int64_t inflow_wh = 0;
  int64_t outflow_wh = 0;
  // The parts of inflow and outflow measured at grid users' points (terms of
  // the run's participant schemes); the rest crosses tie lines.
  int64_t generation_wh = 0;
  int64_t consumption_wh = 0;
  std::string normative_loss_percent;
  Quality quality;
  friend bool operator==(const NodeHour&, const NodeHour&) = default;
};

// The revision a run read for one point-day (0 = no data).
struct PointDayRevision {
  std::string point_code;
  int channel = 0;
  absl::CivilDay day;
  int revision = 0;
};

// What one shard produced; stored in one transaction.
struct ShardResult {
  std::vector<ServiceHour> service_hours;
  std::vector<NodeHour> node_hours;
  std::vector<PointDayRevision> revisions;
  int64_t supply_wh = 0;
  int64_t consumption_wh = 0;
  int64_t point_days = 0;
  Quality quality;  // of the participant and node terms' intervals read
};

struct ServiceTotal {
  std::string participant_id;
  int service_type = 0;
  int64_t actual_wh = 0;
  int64_t declared_wh = 0;
  bool has_declaration = false;
  int64_t hours = 0;
  Quality quality;
};

struct NodeTotal {
  std::string node_code;
  SchemeKind kind = SchemeKind::kNode;
  int64_t inflow_wh = 0;
  int64_t outflow_wh = 0;
  int64_t generation_wh = 0;
  int64_t consumption_wh = 0;
  std::string normative_loss_percent;
  Quality quality;
};

}  // namespace gridbill::balance
