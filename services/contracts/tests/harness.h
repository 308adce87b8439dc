// The real contracts service in-process for *_pgtest cases: the real store,
// domain and gRPC classes on the shared ServiceHarness (a fresh database
// with the service's migrations, a server bound to port 0), and stubs over a
// real channel.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "applications.h"
#include "catch2/catch.hpp"
#include "contracts.h"
#include "contracts_service.h"
#include "fakes.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/server.h"
#include "gridbill/testing/bin.h"
#include "gridbill/testing/service_harness.h"
#include "gridbill/testing/values.h"
#include "participants.h"
#include "pg_store.h"
#include "reference_data.h"
#include "tariffs.h"

namespace gridbill::contracts::testing {

namespace v1 = ::gridbill::contracts::v1;

using ::gridbill::testing::Who;

// A participant's own user.
Who ParticipantUser(const std::string& participant_id,
                    const std::string& principal = "user@participant.kz");

using ::gridbill::testing::Almaty;
using ::gridbill::testing::D;
using ::gridbill::testing::MakeBin;
using ::gridbill::testing::NewRequestId;

// 2026-03-10 12:00 in Asia/Almaty, where every harness clock starts.
absl::Time StartTime();

class Harness {
 public:
  Harness();
  ~Harness();

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp, const Who& who = Who()) {
    return ::gridbill::testing::Call(stub, method, req, resp, who);
  }

  // One count(*) straight from the database (tests only).
  int64_t CountRows(const std::string& table);

  // Fixtures through the API; each REQUIREs success.
  v1::Participant CreateParticipant(int n, const std::string& short_name = "");
  v1::Contract CreateContract(const std::string& participant_id, const std::string& number,
                              v1::ServiceType service = v1::SERVICE_TYPE_TRANSMISSION);
  // Moves a draft contract to `state` along legal transitions.
  v1::Contract MoveContract(const std::string& id, v1::ContractState state);
  v1::Application CreateApplication(
      const std::string& participant_id,
      v1::ApplicationType type = v1::APPLICATION_TYPE_METERING_CORRECTION, const Who& who = Who());
  grpc::Status TransitionApplication(const std::string& id, v1::ApplicationState target,
                                     v1::Application* out, const Who& who = Who(),
                                     const std::string& resolution = "");
  v1::Application MoveApplication(const std::string& id, v1::ApplicationState state);
  v1::Participant SetParticipantStatus(const std::string& id, v1::ParticipantStatus status);

  ::gridbill::testing::ServiceHarness base;
  pgtest::Database& db = base.db();
  FakeClock clock;
  PgStore store;
  pg::PgIdempotency idempotency;
  ReferenceData reference;
  Participants participants;
  Contracts contracts;
  Tariffs tariffs;
  Applications applications;
  ReferenceDataServiceImpl reference_service;
  ParticipantServiceImpl participant_service;
  ContractServiceImpl contract_service;
  TariffServiceImpl tariff_service;
  ApplicationServiceImpl application_service;
  Server* server = nullptr;  // base's, once started
  std::unique_ptr<v1::ReferenceDataService::Stub> reference_stub;
  std::unique_ptr<v1::ParticipantService::Stub> participant_stub;
  std::unique_ptr<v1::ContractService::Stub> contract_stub;
  std::unique_ptr<v1::TariffService::Stub> tariff_stub;
  std::unique_ptr<v1::ApplicationService::Stub> application_stub;
};

}  // namespace gridbill::contracts::testing
