// The audit trail in the gateway's database: batched writes, newest-first
// pages with filters, and a table that refuses to be changed.
#include <catch2/catch.hpp>

#include "../pg_store.h"
#include "absl/strings/str_cat.h"
#include "audit.h"
#include "gridbill/pg/query.h"
#include "gridbill/pgtest/pgtest.h"

namespace gridbill::gateway {
namespace {

AuditEntry Entry(int i, const std::string& principal) {
  AuditEntry e;
  e.call_time = absl::FromUnixSeconds(1800000000 + i);
  e.principal = principal;
  e.method = i % 2 == 0 ? "/gridbill.contracts.v1.ContractService/GetContract"
                        : "/gridbill.contracts.v1.ContractService/CreateContract";
  e.participant_id = i % 3 == 0 ? "P-1" : "";
  e.request_id = absl::StrCat("req-", i);
  e.code = i % 5 == 0 ? 7 : 0;
  e.duration_us = 100 + i;
  e.mutating = i % 2 == 1;
  e.transport = i % 4 == 0 ? "grpc-web" : "grpc";
  return e;
}

TEST_CASE("audit: recorded calls reach the database in batches and read back newest first") {
  pgtest::Database db(GRIDBILL_GATEWAY_MIGRATIONS_DIR);
  PgStore store(db.pool());
  {
    AuditLog log(store, AuditSettings{absl::Milliseconds(50), 100, 100000});
    for (int i = 0; i < 1050; ++i) log.Record(Entry(i, i < 1000 ? "user:a" : "key:b"));
    log.Flush();
    CHECK(log.dropped() == 0);
  }
  AuditQuery all;
  all.limit = 2000;
  auto entries = store.ListAuditEntries(all);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1050);
  CHECK(entries->front().request_id == "req-1049");  // newest first
  const AuditEntry& e = entries->back();
  CHECK(e.request_id == "req-0");
  CHECK(e.principal == "user:a");
  CHECK(e.participant_id == "P-1");
  CHECK(e.code == 7);
  CHECK(e.duration_us == 100);
  CHECK(e.transport == "grpc-web");
  CHECK(e.call_time == absl::FromUnixSeconds(1800000000));

  AuditQuery by_key;
  by_key.principal = "key:b";
  CHECK(store.ListAuditEntries(by_key)->size() == 50);

  AuditQuery page;
  page.principal = "user:a";
  page.method = "/gridbill.contracts.v1.ContractService/CreateContract";
  page.limit = 10;
  auto first = store.ListAuditEntries(page);
  REQUIRE(first->size() == 10);
  page.before_id = first->back().id;
  auto second = store.ListAuditEntries(page);
  REQUIRE(second->size() == 10);
  CHECK(second->front().id < first->back().id);
  for (const AuditEntry& x : *second) CHECK(x.mutating);

  AuditQuery window;
  window.start_time = absl::FromUnixSeconds(1800000000 + 10);
  window.end_time = absl::FromUnixSeconds(1800000000 + 20);
  window.limit = 100;
  CHECK(store.ListAuditEntries(window)->size() == 10);
}

TEST_CASE("audit: the trail is append-only") {
  pgtest::Database db(GRIDBILL_GATEWAY_MIGRATIONS_DIR);
  PgStore store(db.pool());
  REQUIRE(store.InsertAuditEntries({Entry(1, "user:a")}).ok());
  for (const char* sql :
       {"UPDATE audit_log SET code = 0", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
    INFO(sql);
    absl::Status st =
        db.pool().Transact([&](pg::Transaction& tx) { return tx.ExecuteScript(sql); });
    CHECK_FALSE(st.ok());
    CHECK_THAT(std::string(st.message()), Catch::Contains("append-only"));
  }
  CHECK(store.ListAuditEntries(AuditQuery{})->size() == 1);
}

}  // namespace
}  // namespace gridbill::gateway
