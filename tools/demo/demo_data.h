// The demo data set: reference records, participants, contracts and
// applications at the scale of the reference system (DOMAIN.md), generated
// deterministically from a seed. Pure: no I/O, no clock, no gRPC; the CLI
// loads it through the API (tools/gridbillctl/demo_load.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gridbill/contracts/v1/contracts.pb.h"

namespace gridbill::demo {

namespace v1 = ::gridbill::contracts::v1;

// What the data set is generated from. Same options -> byte-identical data.
struct Options {
  uint64_t seed = 42;
  // Applications cover the 12 billing periods ending with this month (the
  // CLI passes the current month); contract and reference dates do not
  // depend on it.
  absl::CivilMonth as_of = absl::CivilMonth(2026, 11);
};

// A participant and, when its final status is not active, the status change
// made after registration (UpdateParticipant needs a reason).
struct DemoParticipant {
  std::string key;              // stable within a seed: "p0001"
  v1::Participant participant;  // id unset; status = ACTIVE (as registered)
  v1::ParticipantStatus final_status = v1::PARTICIPANT_STATUS_ACTIVE;
  std::string status_reason;  // set when final_status is not active
  // The participant's typical monthly volume (GWh), the scale of its
  // declared volumes and of its metering data (metering_points.h).
  int monthly_gwh = 0;
  // Its first day on the market.
  absl::CivilDay since;
};

// One step after a contract's creation: a transition or an amendment.
struct ContractStep {
  enum class Kind { kTransition, kAmendment };
  Kind kind = Kind::kTransition;
  v1::ContractState to = v1::CONTRACT_STATE_UNSPECIFIED;  // kTransition
  std::string reason;                                     // both (required for some)
  // kAmendment: the new values (only the fields in `mask` matter).
  v1::Contract changes;
  std::vector<std::string> mask;
  std::string amendment_number;
  absl::CivilDay effective_date;
};

struct DemoContract {
  std::string key;        // "c0001"
  int participant = -1;   // index into DataSet::participants
  v1::Contract contract;  // participant_id unset; state DRAFT (as created)
  std::vector<ContractStep> steps;
  v1::ContractState final_state = v1::CONTRACT_STATE_DRAFT;
};

// One workflow step of an application.
struct ApplicationStep {
  v1::ApplicationState to = v1::APPLICATION_STATE_UNSPECIFIED;
  std::string resolution;  // approval and rejection
};

struct DemoApplication {
  std::string key;              // "a0001"
  int participant = -1;         // index into DataSet::participants
  int contract = -1;            // index into DataSet::contracts, -1 when none
  v1::Application application;  // participant_id / contract_id unset
  std::vector<ApplicationStep> steps;
  v1::ApplicationState final_state = v1::APPLICATION_STATE_DRAFT;
  // When the TSO received it on paper (local time of the operator's zone):
  // declared volumes in the month before their period, other requests in
  // their month. The loader registers it as received then, so that the demo
  // year has a year of history (times in the future are submitted now).
  absl::CivilSecond received;
};

// Reference records in load order: each phase may refer only to records of
// earlier phases (substations name regions, power lines name substations).
struct ReferencePhase {
  std::string name;  // "regions and banks", "substations", "power lines"
  std::vector<v1::ReferenceRecord> records;
};

struct DataSet {
  Options options;
  std::vector<ReferencePhase> reference;
  std::vector<DemoParticipant> participants;
  std::vector<DemoContract> contracts;
  std::vector<DemoApplication> applications;

  int64_t reference_count() const;
};

// The voltage levels the contracts service seeds (REFERENCE_KIND_VOLTAGE_LEVEL
// records, services/contracts/migrations); generated substations and lines use
// only these codes.
struct VoltageLevel {
  const char* code;
  int nominal_kv;
};
const std::vector<VoltageLevel>& SeededVoltageLevels();

DataSet Generate(const Options& options);

// SHA-256 (hex) over the deterministic serialization of the whole data set,
// for comparing two generations.
std::string DigestOf(const DataSet& data);

}  // namespace gridbill::demo
