// The restore drill, with the local setup's own scripts: a cluster started
// as `up` starts it (deploy/lib.sh: WAL archived continuously), contracts,
// metering, balance and invoicing on it, a demo month and its final
// balance; then a base backup (deploy/backup.sh); then more is written:
// a metering import (a new reading revision), the invoice run (documents
// and their numbers) and a payment. The services stop, the archive catches
// up, PostgreSQL is killed (immediate stop) and its data directory
// deleted; deploy/restore.sh brings it back to the latest point. Every
// table of every service's database is then row for row what it was, the
// services start on it, serve what was written after the backup, and take
// new writes.
#include <libpq-fe.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

constexpr char kRepo[] = GRIDBILL_REPO_DIR;
const char* const kDatabases[] = {"contracts", "metering", "balance", "invoicing"};

using google::protobuf::Struct;

// Rows of `sql` on `conninfo`, each row's columns joined by '|'.
std::vector<std::string> Query(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  INFO(conninfo << ": " << PQerrorMessage(conn.get()));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(conn.get()));
  REQUIRE((PQresultStatus(res.get()) == PGRES_TUPLES_OK ||
           PQresultStatus(res.get()) == PGRES_COMMAND_OK));
  std::vector<std::string> rows;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::string row;
    for (int c = 0; c < PQnfields(res.get()); ++c) {
      if (c > 0) row += "|";
      row += PQgetvalue(res.get(), r, c);
    }
    rows.push_back(row);
  }
  return rows;
}

// Every table of a database: its row count and the MD5 of its rows in order.
std::map<std::string, std::string> Digest(const std::string& conninfo) {
  std::map<std::string, std::string> out;
  for (const std::string& table :
       Query(conninfo,
             "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
             "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")) {
    const auto row =
        Query(conninfo, absl::StrCat("SELECT count(*), coalesce(md5(string_agg(t::text, "
                                     "E'\\n' ORDER BY t::text)), '') FROM ",
                                     table, " t"));
    out[table] = row.at(0);
  }
  return out;
}

Struct Json(const std::string& text) {
  Struct out;
  INFO(text.substr(0, 2000));
  REQUIRE(google::protobuf::util::JsonStringToMessage(text, &out).ok());
  return out;
}

std::string Str(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

// int64 fields are JSON strings in proto JSON; absent means 0.
int64_t Int(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return 0;
  return it->second.has_string_value() ? std::stoll(it->second.string_value())
                                       : static_cast<int64_t>(it->second.number_value());
}

Struct Obj(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? Struct() : it->second.struct_value();
}

std::vector<Struct> List(const Struct& s, const std::string& name) {
  std::vector<Struct> out;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

// The cluster of the drill, stopped (immediately) whatever happens.
struct Cluster {
  Env env;
  CommandResult Sh(const std::string& script, seconds timeout = seconds(600)) const {
    return Run({"/bin/bash", "-c",
                absl::StrCat("set -euo pipefail; source '", kRepo, "/deploy/lib.sh'; ", script)},
               env, timeout);
  }
  void Require(const std::string& script, seconds timeout = seconds(600)) const {
    CommandResult r = Sh(script, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
  }
  ~Cluster() {
    Sh("pg_running && as_pg \"$PG_BIN/pg_ctl\" -D \"$(pg_dir)/data\" -m immediate stop || true",
       seconds(60));
  }
};

TEST_CASE("restore drill: backup, more writes, the cluster destroyed, restored to the latest point",
          "[suite][restore]") {
  TempDir dir;
  // User postgres (the cluster's owner when we are root) must enter it.
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const int pg_port = FreePort();
  Cluster cluster;
  cluster.env = {{"GRIDBILL_RUN_DIR", dir.File("run")},
                 {"GRIDBILL_PG_PORT", std::to_string(pg_port)},
                 {"GRIDBILL_PG_ARCHIVE_TIMEOUT", "1"}};
  cluster.Require("mkdir -p \"$RUN_DIR\" && prepare_pg_dir && init_postgres && start_postgres");
  const std::string admin =
      absl::StrCat("host=127.0.0.1 port=", pg_port, " user=postgres dbname=postgres");
  Query(admin, "CREATE ROLE gridbill LOGIN");
  std::map<std::string, std::string> url;
  for (const char* db : kDatabases) {
    Query(admin, absl::StrCat("CREATE DATABASE ", db, " OWNER gridbill"));
    url[db] = absl::StrCat("postgresql://gridbill@127.0.0.1:", pg_port, "/", db);
  }

  std::unique_ptr<Running> contracts, metering, balance, invoicing;
  auto start = [&](const std::string& round) {
    contracts = std::make_unique<Running>(GRIDBILL_CONTRACTS_BIN, url["contracts"], dir,
                                          "contracts" + round);
    metering =
        std::make_unique<Running>(GRIDBILL_METERING_BIN, url["metering"], dir, "metering" + round);
    balance =
        std::make_unique<Running>(GRIDBILL_BALANCE_BIN, url["balance"], dir, "balance" + round,
                                  Env{{"GRIDBILL_METERING_ADDRESS", metering->address},
                                      {"GRIDBILL_CONTRACTS_ADDRESS", contracts->address}});
    invoicing = std::make_unique<Running>(GRIDBILL_INVOICING_BIN, url["invoicing"], dir,
                                          "invoicing" + round,
                                          Env{{"GRIDBILL_CONTRACTS_ADDRESS", contracts->address},
                                              {"GRIDBILL_BALANCE_ADDRESS", balance->address},
                                              {"GRIDBILL_RENDER_PDF_IN_RUN", "false"}});
    for (Running* r : {contracts.get(), metering.get(), balance.get(), invoicing.get()}) {
      r->WaitServing(seconds(120));
    }
  };
  auto ctl = [&](std::vector<std::string> args, seconds timeout = seconds(300)) {
    args.insert(args.begin(), GRIDBILL_CTL_BIN);
    CommandResult r = Run(args,
                          {{"GRIDBILL_ADDR", contracts->address},
                           {"GRIDBILL_METERING_ADDR", metering->address},
                           {"GRIDBILL_BALANCE_ADDR", balance->address},
                           {"GRIDBILL_INVOICING_ADDR", invoicing->address}},
                          timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r.out;
  };

  // --- Before the backup: a demo month and its final balance. -----------------
  start("");
  ctl({"demo", "load", "--seed", "11", "--points", "20", "--readings-months", "1", "--streams",
       "2"},
      seconds(600));
  ctl({"balance", "demo-schemes", "--seed", "11", "--max-points", "20"});
  ctl({"balance", "run", "2026-10", "--type", "final"}, seconds(600));
  {
    CommandResult b = cluster.Sh(absl::StrCat("bash '", kRepo, "/deploy/backup.sh'"));
    INFO(b.Describe());
    REQUIRE(b.exit_code == 0);
  }
  std::map<std::string, std::map<std::string, std::string>> at_backup;
  for (const char* db : kDatabases) at_backup[db] = Digest(url[db]);

  // --- After the backup: a reading revision, the invoice run, a payment. -------
  const Struct points = Json(ctl({"metering", "points", "list", "--output", "json"}));
  std::string point;  // one measuring active energy received (channel 01)
  for (const Struct& p : List(points, "points")) {
    const auto it = p.fields().find("channels");
    if (it == p.fields().end()) continue;
    for (const auto& c : it->second.list_value().values()) {
      if (Str(c.struct_value(), "channel") == "CHANNEL_ACTIVE_RECEIVED" && point.empty()) {
        point = Str(p, "code");
      }
    }
  }
  REQUIRE(!point.empty());
  const std::string csv = dir.File("late.csv");
  WriteFile(csv, absl::StrCat("point_code,channel,interval_start,value,quality,source\n", point,
                              ",01,2026-10-20 12:00,987654,,\n"));
  ctl({"metering", "import", csv, "--format", "csv", "--unit", "wh"});
  const Struct run = Json(ctl({"invoicing", "run", "2026-10", "--output", "json"}, seconds(600)));
  REQUIRE(Str(Obj(run, "job"), "state") == "JOB_STATE_SUCCEEDED");
  REQUIRE(Int(run, "documentsIssued") > 0);
  const std::vector<Struct> invoices =
      List(Json(ctl({"invoicing", "documents", "--period", "2026-10", "--type", "invoice", "--all",
                     "--output", "json"})),
           "documents");
  REQUIRE(!invoices.empty());
  const Struct invoice =
      Json(ctl({"invoicing", "document", Str(invoices.front(), "id"), "--output", "json"}));
  const std::string bank = dir.File("bank.csv");
  WriteFile(bank, absl::StrCat("reference,value_date,payer_bin,contract_number,amount\n",
                               "PAY-DRILL-1,2026-11-20,", Str(invoice, "customerBin"), ",",
                               Str(invoice, "contractNumber"), ",1000.00\n"));
  ctl({"invoicing", "import-payments", bank, "--roles", "accountant"});
  const std::string documents_before =
      ctl({"invoicing", "documents", "--period", "2026-10", "--all", "--output", "json"});

  // Everything written is committed; the services stop. The disaster comes
  // after the WAL segment holding the last commit is closed and archived:
  // pg_switch_wal() closes it now, as archive_timeout does within 60 s in
  // `up` (the most a restore can lose).
  for (Running* r : {invoicing.get(), balance.get(), metering.get(), contracts.get()}) {
    r->process->Signal(SIGTERM);
    REQUIRE(r->process->WaitExit(seconds(30)).has_value());
  }
  std::map<std::string, std::map<std::string, std::string>> before;
  for (const char* db : kDatabases) before[db] = Digest(url[db]);
  CHECK(before["metering"] != at_backup["metering"]);
  CHECK(before["invoicing"] != at_backup["invoicing"]);
  const std::string last_wal = Query(admin, "SELECT pg_walfile_name(pg_switch_wal())").at(0);
  auto archived = [&] {
    return Query(admin, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").at(0);
  };
  for (int i = 0; i < 600 && archived() < last_wal; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  REQUIRE(archived() >= last_wal);

  // --- The disaster: PostgreSQL killed, its data directory gone. ---------------
  cluster.Require(
      "as_pg \"$PG_BIN/pg_ctl\" -D \"$(pg_dir)/data\" -m immediate stop && rm -rf "
      "\"$(pg_dir)/data\"");
  {
    CommandResult r = cluster.Sh(absl::StrCat("bash '", kRepo, "/deploy/restore.sh'"));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
  }

  // --- Every committed row is back. ---------------------------------------------
  for (const char* db : kDatabases) {
    const auto after = Digest(url[db]);
    for (const auto& [table, digest] : before[db]) {
      INFO(db << " " << table);
      CHECK(after.count(table) == 1);
      if (after.count(table) == 1) CHECK(after.at(table) == digest);
    }
    CHECK(after.size() == before[db].size());
  }

  // --- The suite serves again, what was written after the backup included. -----
  start("-restored");
  CHECK(ctl({"invoicing", "documents", "--period", "2026-10", "--all", "--output", "json"}) ==
        documents_before);
  const std::string again = dir.File("bank2.csv");
  WriteFile(again, absl::StrCat("reference,value_date,payer_bin,contract_number,amount\n",
                                "PAY-DRILL-2,2026-11-21,", Str(invoice, "customerBin"), ",",
                                Str(invoice, "contractNumber"), ",1.00\n"));
  const Struct paid = Json(
      ctl({"invoicing", "import-payments", again, "--roles", "accountant", "--output", "json"}));
  CHECK(Int(paid, "created") == 1);
}

}  // namespace
}  // namespace gridbill::suite
