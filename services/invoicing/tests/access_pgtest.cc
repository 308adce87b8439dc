// Every invoicing RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares, on the real servers
// (tests/access/every_method.h).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "every_method.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pgtest/pgtest.h"
#include "invoicing_harness.h"

namespace gridbill::invoicing::testing {
namespace {

TEST_CASE("every invoicing RPC admits exactly the roles its access option declares") {
  Harness h;
  const auto services = access_testing::ServicesOf(*v1::Document::descriptor());
  REQUIRE(services.size() == 5);
  const auto channel = h.base.channel();
  CHECK(access_testing::CheckEveryMethodAndRole(channel, services) == 18 * 8);
  // The empty requests changed nothing.
  CHECK(h.CountRows("payments") == 0);
  CHECK(h.CountRows("invoice_runs") == 0);
}

TEST_CASE("V006 keeps idempotency records made before under the Service/Method name") {
  auto files = pg::LoadMigrationsFromDir(GRIDBILL_INVOICING_MIGRATIONS_DIR);
  REQUIRE(files.ok());
  REQUIRE(files->size() >= 6);
  REQUIRE(absl::StartsWith((*files)[5].name, "V006__"));
  pgtest::Database db(std::vector<pg::MigrationFile>(files->begin(), files->begin() + 5));
  const pg::Query insert{"",
                         "INSERT INTO idempotency_keys (method, request_id, fingerprint, "
                         "response) VALUES ($1, 'r-1', '\\x00', '\\x01')"};
  for (const char* method :
       {"TransitionPeriod", "StartInvoiceRun", "CancelInvoiceRun", "ImportPayments"}) {
    REQUIRE(db.pool().Execute(insert, pg::Params(method)).ok());
  }
  auto migrated = pg::Migrate(db.pool(), *files);
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());
  auto rows = db.pool().Execute(pg::Query{"", "SELECT method FROM idempotency_keys ORDER BY 1"});
  REQUIRE(rows.ok());
  std::vector<std::string> methods;
  for (int i = 0; i < rows->size(); ++i) methods.push_back((*rows)[i].String(0));
  // The names IdempotentCall derives from the request types.
  std::vector<std::string> expected;
  for (const google::protobuf::Descriptor* request :
       {v1::TransitionPeriodRequest::descriptor(), v1::StartInvoiceRunRequest::descriptor(),
        v1::CancelInvoiceRunRequest::descriptor(), v1::ImportPaymentsRequest::descriptor()}) {
    expected.push_back(IdempotencyMethodName(**MethodOfRequest(*request)));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(methods == expected);
}

}  // namespace
}  // namespace gridbill::invoicing::testing
