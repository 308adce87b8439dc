// The integrations document pump (PumpDocuments over GrpcSuite) against a
// real invoicing service: it follows invoicing's ListDocuments change feed
// page after page, so it sees every document, not only the first page of
// 500, and after a new run only that run's documents.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/caller.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/client_interceptor.h"
#include "invoicing_harness.h"
// By path: invoicing's headers of the same names come first on this test's
// include path (its harness includes them by name).
#include "services/integrations/documents.h"
#include "services/integrations/grpc_suite.h"
#include "services/integrations/pg_store.h"

namespace gridbill::integrations {
namespace {

namespace iv = ::gridbill::invoicing::testing;
namespace cv1 = ::gridbill::contracts::v1;

// What the gateway adds to a call made with an integration client's API key.
class AsIntegrationClient final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* metadata = m->GetSendInitialMetadata();
      metadata->insert({kPrincipalHeader, "apikey:integrations"});
      metadata->insert({kRolesHeader, "ROLE_INTEGRATION_CLIENT"});
    }
    m->Proceed();
  }
};

class AsIntegrationClientFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new AsIntegrationClient();
  }
};

std::shared_ptr<grpc::Channel> GatewayLike(int port) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<AsIntegrationClientFactory>());
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::experimental::CreateCustomChannelWithInterceptors(absl::StrCat("127.0.0.1:", port),
                                                                 grpc::InsecureChannelCredentials(),
                                                                 args, std::move(factories));
}

std::set<std::string> DocumentIds(iv::Harness& h) {
  std::set<std::string> ids;
  for (const auto& d : h.Documents("")) ids.insert(d.id());
  return ids;
}

std::set<std::string> Pumped(PgStore& store) {
  std::set<std::string> ids;
  paging::Page page;
  page.size = 10'000;
  absl::StatusOr<paging::PageOf<Delivery>> all = store.List({}, page);
  REQUIRE(all.ok());
  for (const Delivery& d : all->items) ids.insert(d.fact_id);
  return ids;
}

TEST_CASE("the document pump reads invoicing's feed past the first 500 documents") {
  invoicing::RunOptions options;
  options.render_pdfs = false;
  iv::Harness h(options);
  // 90 contracts, three documents each a month (invoice, act, ESF).
  constexpr int kContracts = 90;
  h.volumes.AddRun(iv::Period(2026, 1), "b-01", invoicing::BalanceRunType::kFinal);
  h.volumes.AddRun(iv::Period(2026, 2), "b-02", invoicing::BalanceRunType::kFinal);
  h.volumes.AddRun(iv::Period(2026, 3), "b-03", invoicing::BalanceRunType::kFinal);
  for (int i = 1; i <= kContracts; ++i) {
    const cv1::Participant p = h.CreateParticipant(i, absl::StrCat("ТОО «Участник ", i, "»"));
    h.CreateContract(p.id(), absl::StrCat("TR-", 1000 + i), cv1::SERVICE_TYPE_TRANSMISSION);
    for (const char* run : {"b-01", "b-02", "b-03"}) {
      h.volumes.Set(run, p.id(), invoicing::Service::kTransmission, 1'000'000 + i);
    }
  }
  h.clock.Set(iv::Local(2026, 2, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 3 * kContracts);
  h.clock.Set(iv::Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 3 * kContracts);
  const std::set<std::string> issued = DocumentIds(h);
  REQUIRE(issued.size() == 6 * kContracts);  // 540: more than one page of 500

  GrpcSuite suite(GatewayLike(h.base.server().grpc_port()), "unused-api-key", absl::Seconds(30));
  pgtest::Database outbox(GRIDBILL_INTEGRATIONS_MIGRATIONS_DIR);
  PgStore store(outbox.pool());
  // The feed holds documents back while an older transaction is open on the
  // server (an autovacuum's analyze), so the pump is repeated until it is
  // caught up; it never delivers a document twice.
  int pumped = 0;
  for (int i = 0; i < 100 && pumped < 6 * kContracts; ++i) {
    absl::StatusOr<int> n = PumpDocuments(store, suite, {"erp"}, h.clock.Now());
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    pumped += *n;
    if (pumped < 6 * kContracts) absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(pumped == 6 * kContracts);
  CHECK(Pumped(store) == issued);
  CHECK(!store.Cursor(kDocumentsFeed)->empty());
  CHECK(*PumpDocuments(store, suite, {"erp"}, h.clock.Now()) == 0);

  // One more run: the next pump stores exactly its documents.
  h.clock.Set(iv::Local(2026, 4, 3));
  REQUIRE(h.RunInvoicing(2026, 3).documents_issued() == 3 * kContracts);
  int more = 0;
  for (int i = 0; i < 100 && more < 3 * kContracts; ++i) {
    absl::StatusOr<int> n = PumpDocuments(store, suite, {"erp"}, h.clock.Now());
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    more += *n;
    if (more < 3 * kContracts) absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(more == 3 * kContracts);
  CHECK(Pumped(store) == DocumentIds(h));
}

}  // namespace
}  // namespace gridbill::integrations
