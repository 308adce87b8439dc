// What the contracts domain needs from storage, nothing more. PgStore is the
// PostgreSQL implementation; tests use an in-memory fake.
//
// Unknown ids are NOT_FOUND. Update* methods write the row only when its
// stored version is still `prev_version` (ABORTED otherwise: a concurrent
// change won) and store the version the caller put into the object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model.h"

namespace gridbill::contracts {

class Store {
 public:
  virtual ~Store() = default;

  // Runs `fn` so that every store call it makes commits or rolls back
  // together (joining an enclosing transaction, e.g. the idempotency guard's).
  virtual absl::Status Atomically(absl::FunctionRef<absl::Status()> fn) = 0;

  // History of every resource: appended once per version, read oldest
  // first, a page at a time (keyset on the version).
  virtual absl::Status AppendHistory(Resource resource, const std::string& id,
                                     const ChangeEntry& entry) = 0;
  virtual absl::StatusOr<paging::PageOf<ChangeEntry>> ListHistory(Resource resource,
                                                                  const std::string& id,
                                                                  const paging::Page& page) = 0;

  // Reference data.
  virtual absl::StatusOr<ReferenceRecord> GetReferenceRecord(const std::string& id) = 0;
  // Every record of `kind` with `code`, whatever its validity.
  virtual absl::StatusOr<std::vector<ReferenceRecord>> FindReferenceRecords(
      ReferenceKind kind, const std::string& code) = 0;
  virtual absl::StatusOr<ListPage<ReferenceRecord>> ListReferenceRecords(
      const ReferenceFilter& filter, const PageRequest& page) = 0;
  // Assigns the id; returns the stored record.
  virtual absl::StatusOr<ReferenceRecord> InsertReferenceRecord(const ReferenceRecord& record) = 0;
  virtual absl::Status UpdateReferenceRecord(const ReferenceRecord& record,
                                             int64_t prev_version) = 0;

  // Participants.
  virtual absl::StatusOr<Participant> GetParticipant(const std::string& id) = 0;
  virtual absl::StatusOr<std::optional<Participant>> FindParticipantByBin(
      const std::string& bin) = 0;
  virtual absl::StatusOr<ListPage<Participant>> ListParticipants(const ParticipantFilter& filter,
                                                                 const PageRequest& page) = 0;
  virtual absl::StatusOr<Participant> InsertParticipant(const Participant& participant) = 0;
  virtual absl::Status UpdateParticipant(const Participant& participant, int64_t prev_version) = 0;

  // Contracts.
  virtual absl::StatusOr<Contract> GetContract(const std::string& id) = 0;
  virtual absl::StatusOr<std::optional<Contract>> FindContractByNumber(
      const std::string& number) = 0;
  // Up to `limit` contracts of the participant in `state`, by number, in
  // one statement (joins a caller's transaction).
  virtual absl::StatusOr<std::vector<Contract>> ContractsInState(const std::string& participant_id,
                                                                 ContractState state,
                                                                 int limit) = 0;
  virtual absl::StatusOr<ListPage<Contract>> ListContracts(const ContractFilter& filter,
                                                           const PageRequest& page) = 0;
  virtual absl::StatusOr<Contract> InsertContract(const Contract& contract) = 0;
  virtual absl::Status UpdateContract(const Contract& contract, int64_t prev_version) = 0;

  // Tariffs.
  virtual absl::StatusOr<Tariff> GetTariff(const std::string& id) = 0;
  // Tariffs of `service` (all services when unspecified), by service and start.
  virtual absl::StatusOr<ListPage<Tariff>> ListTariffs(ServiceType service,
                                                       const PageRequest& page) = 0;
  // Tariffs of `service` whose validity meets [from, to] (to unset: open end),
  // ordered by valid_from.
  virtual absl::StatusOr<std::vector<Tariff>> TariffsOverlapping(
      ServiceType service, absl::CivilDay from, std::optional<absl::CivilDay> to) = 0;
  virtual absl::StatusOr<Tariff> InsertTariff(const Tariff& tariff) = 0;
  virtual absl::Status UpdateTariff(const Tariff& tariff, int64_t prev_version) = 0;

  // Applications.
  // The next registration number of `year` (1, 2, ... per year, no gaps).
  virtual absl::StatusOr<int64_t> NextApplicationNumber(int64_t year) = 0;
  virtual absl::StatusOr<Application> GetApplication(const std::string& id) = 0;
  virtual absl::StatusOr<ListPage<Application>> ListApplications(const ApplicationFilter& filter,
                                                                 const PageRequest& page) = 0;
  // The change feed (page.after: the position {xid, seq} to read after);
  // `next` is the position of the last application returned.
  virtual absl::StatusOr<ListPage<Application>> ApplicationChanges(const ApplicationFilter& filter,
                                                                   const PageRequest& page) = 0;
  virtual absl::StatusOr<ApplicationCounts> CountApplications(
      const ApplicationCountFilter& filter) = 0;
  virtual absl::StatusOr<Application> InsertApplication(const Application& application) = 0;
  virtual absl::Status UpdateApplication(const Application& application, int64_t prev_version) = 0;
  virtual absl::StatusOr<ApplicationComment> InsertComment(const ApplicationComment& comment) = 0;
  // Oldest first, a page at a time (keyset on the creation time and sequence).
  virtual absl::StatusOr<paging::PageOf<ApplicationComment>> ListComments(
      const std::string& application_id, const paging::Page& page) = 0;
};

}  // namespace gridbill::contracts
