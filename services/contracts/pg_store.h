// The PostgreSQL implementation of Store: the only file with SQL calls (the
// statements themselves are in queries.h). Every method runs in a pool
// transaction, joining the caller's when one is open on this thread.
#pragma once

#include <string>
#include <vector>

#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::contracts {

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status Atomically(absl::FunctionRef<absl::Status()> fn) override;

  absl::Status AppendHistory(Resource resource, const std::string& id,
                             const ChangeEntry& entry) override;
  absl::StatusOr<paging::PageOf<ChangeEntry>> ListHistory(Resource resource, const std::string& id,
                                                          const paging::Page& page) override;

  absl::StatusOr<ReferenceRecord> GetReferenceRecord(const std::string& id) override;
  absl::StatusOr<std::vector<ReferenceRecord>> FindReferenceRecords(
      ReferenceKind kind, const std::string& code) override;
  absl::StatusOr<ListPage<ReferenceRecord>> ListReferenceRecords(const ReferenceFilter& filter,
                                                                 const PageRequest& page) override;
  absl::StatusOr<ReferenceRecord> InsertReferenceRecord(const ReferenceRecord& record) override;
  absl::Status UpdateReferenceRecord(const ReferenceRecord& record, int64_t prev_version) override;

  absl::StatusOr<Participant> GetParticipant(const std::string& id) override;
  absl::StatusOr<std::optional<Participant>> FindParticipantByBin(const std::string& bin) override;
  absl::StatusOr<ListPage<Participant>> ListParticipants(const ParticipantFilter& filter,
                                                         const PageRequest& page) override;
  absl::StatusOr<Participant> InsertParticipant(const Participant& participant) override;
  absl::Status UpdateParticipant(const Participant& participant, int64_t prev_version) override;

  absl::StatusOr<Contract> GetContract(const std::string& id) override;
  absl::StatusOr<std::optional<Contract>> FindContractByNumber(const std::string& number) override;
  absl::StatusOr<std::vector<Contract>> ContractsInState(const std::string& participant_id,
                                                         ContractState state, int limit) override;
  absl::StatusOr<ListPage<Contract>> ListContracts(const ContractFilter& filter,
                                                   const PageRequest& page) override;
  absl::StatusOr<Contract> InsertContract(const Contract& contract) override;
  absl::Status UpdateContract(const Contract& contract, int64_t prev_version) override;

  absl::StatusOr<Tariff> GetTariff(const std::string& id) override;
  absl::StatusOr<ListPage<Tariff>> ListTariffs(ServiceType service,
                                               const PageRequest& page) override;
  absl::StatusOr<std::vector<Tariff>> TariffsOverlapping(ServiceType service, absl::CivilDay from,
                                                         std::optional<absl::CivilDay> to) override;
  absl::StatusOr<Tariff> InsertTariff(const Tariff& tariff) override;
  absl::Status UpdateTariff(const Tariff& tariff, int64_t prev_version) override;

  absl::StatusOr<int64_t> NextApplicationNumber(int64_t year) override;
  absl::StatusOr<Application> GetApplication(const std::string& id) override;
  absl::StatusOr<ListPage<Application>> ApplicationChanges(const ApplicationFilter& filter,
                                                           const PageRequest& page) override;
  absl::StatusOr<ListPage<Application>> ListApplications(const ApplicationFilter& filter,
                                                         const PageRequest& page) override;
  absl::StatusOr<ApplicationCounts> CountApplications(
      const ApplicationCountFilter& filter) override;
  absl::StatusOr<Application> InsertApplication(const Application& application) override;
  absl::Status UpdateApplication(const Application& application, int64_t prev_version) override;
  absl::StatusOr<ApplicationComment> InsertComment(const ApplicationComment& comment) override;
  absl::StatusOr<paging::PageOf<ApplicationComment>> ListComments(
      const std::string& application_id, const paging::Page& page) override;

 private:
  pg::Pool& pool_;
};

// True when `id` has the canonical UUID form (ids are UUIDs; anything else
// cannot name a stored row).
bool IsUuid(const std::string& id);

}  // namespace gridbill::contracts
