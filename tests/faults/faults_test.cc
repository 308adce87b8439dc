// The fault suite: the month close of a small demo (a few hundred points,
// readings of two months) run twice over the real binaries, once without
// faults and once while faults are injected, then the books of the two runs
// compared. Seeded and replayable: GRIDBILL_FAULTS_SEED=<n> gives the same
// inputs and the same fault schedule (which process is killed after how
// long into which step, which proxied chunk is delayed or cut, which client
// call is retried how); the seed is printed first. GRIDBILL_FAULTS=<n> asks
// for at least n faults (default 1000; the schedule grows with it).
//
// Faults, in the faulty run only:
//  - kill.<process>: SIGKILL of a service or the gateway at a random moment
//    of a step (readings ingestion, a file import, the balance runs, the
//    invoice runs, the payment imports); a supervisor starts it again.
//  - pg.restart: PostgreSQL stopped in immediate mode, started again.
//  - net.break / net.delay / net.cut: the proxies between the gateway and
//    each service and between services refuse a new connection, delay a
//    chunk, or cut a connection halfway through a chunk.
//  - retry.timeout / retry.duplicate / retry.reordered: a client call sent
//    with a deadline too short and sent again with the same request id; the
//    same call sent twice; an older call's retry arriving after a newer call.
//
// Every step is driven as an operator would: gridbillctl through the
// gateway, the same command again (same request id) when it fails, a new
// request id only when the job it started has failed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "books.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stack.h"

namespace gridbill::faults {
namespace {

namespace mv1 = ::gridbill::metering::v1;
using Clock = std::chrono::steady_clock;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoll(v) : fallback;
}

struct Options {
  uint64_t seed = 0;
  int64_t target = 1000;  // faults asked for
  int points = 120;
};

Options OptionsFromEnv() {
  Options o;
  o.seed = static_cast<uint64_t>(EnvInt("GRIDBILL_FAULTS_SEED", 0));
  if (o.seed == 0) o.seed = std::random_device()() % 1000000 + 1;
  o.target = EnvInt("GRIDBILL_FAULTS", 1000);
  o.points = static_cast<int>(EnvInt("GRIDBILL_FAULTS_POINTS", 120));
  return o;
}

// Faults injected, by kind.
class Tally {
 public:
  void Add(const std::string& kind, int64_t n = 1) {
    std::lock_guard<std::mutex> lock(mu_);
    counts_[kind] += n;
  }
  std::map<std::string, int64_t> Counts() {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> counts_;
};

// One heavy fault of a step's schedule.
struct Planned {
  int at_ms = 0;       // after the step's start
  std::string target;  // a process, or "postgres"
};

// Runs a step's schedule on its own thread while the step runs; the rest of
// the schedule is dropped when the step ends first.
class Injector {
 public:
  Injector(Stack& stack, Tally& tally, std::string step, std::vector<Planned> plan)
      : stack_(stack), tally_(tally), step_(std::move(step)), plan_(std::move(plan)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Injector() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    const auto start = Clock::now();
    for (const Planned& p : plan_) {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_until(lock, start + milliseconds(p.at_ms), [this] { return done_; })) return;
      lock.unlock();
      std::cout << "  fault: " << (p.target == "postgres" ? "pg.restart" : "kill." + p.target)
                << " at " << p.at_ms << " ms into " << step_ << std::endl;
      try {
        if (p.target == "postgres") {
          StopPostgresImmediate();
          tally_.Add("pg.restart");
          std::this_thread::sleep_for(milliseconds(300 + p.at_ms % 700));
          StartPostgres();
        } else {
          stack_.Kill(p.target);
          tally_.Add("kill." + p.target);
        }
      } catch (const std::exception& e) {
        std::cout << "  injecting " << p.target << ": " << e.what() << std::endl;
        if (p.target == "postgres") {
          for (int i = 0; i < 3; ++i) {
            try {
              StartPostgres();
              break;
            } catch (const std::exception& again) {
              std::cout << "  starting PostgreSQL again: " << again.what() << std::endl;
            }
          }
        }
      }
    }
  }

  Stack& stack_;
  Tally& tally_;
  std::string step_;
  std::vector<Planned> plan_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// What both runs are given: the same files and the same client calls.
struct Inputs {
  std::string import_csv;
  std::vector<std::string> payment_files;  // CSV texts, imported in order
  struct Slot {
    std::string point;
    int64_t start = 0;  // UTC seconds
    int64_t a = 0, b = 0;
  };
  std::vector<Slot> slots;
};

// What a run leaves for the comparison besides its databases.
struct Outcome {
  std::map<std::string, double> step_seconds;
  std::vector<std::string> payment_responses;  // import-payments --output json
  std::vector<std::string> refusals;           // edits refused (by request id)
};

// The faulty run's schedule and budget.
class Chaos {
 public:
  Chaos(const Options& o, const Outcome& reference)
      : options_(o), reference_(reference), rng_(o.seed * 7919 + 13) {}

  Tally& tally() { return tally_; }
  std::mt19937_64& rng() { return rng_; }

  std::vector<Planned> PlanFor(const std::string& step, const std::vector<std::string>& targets) {
    const double seconds_ref = std::max(
        2.0, reference_.step_seconds.count(step) > 0 ? reference_.step_seconds.at(step) : 2.0);
    const int span = static_cast<int>(seconds_ref * 1000);
    const int kills = static_cast<int>(std::max<int64_t>(2, options_.target / 500));
    const int pg = static_cast<int>(std::max<int64_t>(1, options_.target / 1000));
    std::vector<Planned> plan;
    for (int i = 0; i < kills; ++i) {
      // Round the processes in turn from a seeded start: every one is killed.
      if (next_target_ < 0) next_target_ = static_cast<int>(rng_() % targets.size());
      plan.push_back({static_cast<int>(rng_() % static_cast<uint64_t>(span * 9 / 10)) + span / 20,
                      targets[static_cast<size_t>(next_target_++) % targets.size()]});
    }
    for (int i = 0; i < pg; ++i) {
      plan.push_back({static_cast<int>(rng_() % static_cast<uint64_t>(span * 8 / 10)) + span / 10,
                      "postgres"});
    }
    std::sort(plan.begin(), plan.end(),
              [](const Planned& a, const Planned& b) { return a.at_ms < b.at_ms; });
    return plan;
  }

  NetFaults Net() const {
    NetFaults f;
    f.break_connection = 0.05;
    f.delay_chunk = 0.05;
    f.cut_chunk = 0.003;
    f.cut_budget = 2;
    f.break_budget = 4;
    return f;
  }

 private:
  Options options_;
  const Outcome& reference_;
  std::mt19937_64 rng_;
  Tally tally_;
  int next_target_ = -1;
};

std::string Tenge(int64_t tiyn) { return absl::StrFormat("%d.%02d", tiyn / 100, tiyn % 100); }

// Runs a gridbillctl command until it succeeds, as an operator would:
// `args(attempt)` gives the command of each attempt.
suite::CommandResult Operate(Stack& stack, const std::string& what,
                             const std::function<std::vector<std::string>(int)>& args,
                             int attempts = 12, seconds timeout = seconds(600)) {
  suite::CommandResult last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    last = stack.Ctl(args(attempt), timeout);
    if (last.exit_code == 0) return last;
    std::cout << "  " << what << ": attempt " << attempt << " failed (exit " << last.exit_code
              << "): " << last.err.substr(0, 300) << "\n";
    std::this_thread::sleep_for(milliseconds(500 * std::min(attempt, 4)));
  }
  INFO(last.Describe());
  FAIL(what << " did not succeed in " << attempts << " attempts");
  return last;
}

// A query that must answer; retried while PostgreSQL restarts.
Rows MustQuery(const std::string& db, const std::string& sql) {
  std::string error;
  for (int i = 0; i < 100; ++i) {
    if (auto rows = Query(db, sql, &error)) return *rows;
    std::this_thread::sleep_for(milliseconds(300));
  }
  FAIL("query failed: " << error);
  return {};
}

// The state of the latest job a step started, to decide whether the same
// request id is asked again (running or unknown) or a new one (failed).
bool LatestFailed(const std::string& db, const std::string& sql) {
  std::optional<Rows> rows = Query(db, sql);
  return rows && !rows->empty() && (*rows)[0][0] == "failed";
}

// The month close, in steps. `chaos` is null for the fault-free run.
Outcome MonthClose(Stack& stack, const Options& o, Inputs& in, Chaos* chaos) {
  Outcome out;
  const std::vector<std::string> everyone = stack.service_names();
  auto step = [&](const std::string& name, const std::function<void()>& body) {
    std::cout << "step " << name << (chaos ? " (with faults)" : "") << std::endl;
    const auto start = Clock::now();
    if (chaos == nullptr) {
      body();
    } else {
      stack.SetNetFaults(chaos->Net());
      {
        Injector injector(stack, chaos->tally(), name, chaos->PlanFor(name, everyone));
        body();
      }
      stack.SetNetFaults(NetFaults{});
    }
    out.step_seconds[name] = std::chrono::duration<double>(Clock::now() - start).count();
  };
  const std::string seed = absl::StrCat(o.seed);

  // --- Readings ingestion: the demo's participants, contracts, points and
  // two months of readings, through the gateway.
  step("ingest", [&] {
    Operate(
        stack, "demo load",
        [&](int) {
          return std::vector<std::string>{"demo",
                                          "load",
                                          "--seed",
                                          seed,
                                          "--points",
                                          absl::StrCat(o.points),
                                          "--readings-months",
                                          "2",
                                          "--streams",
                                          "2"};
        },
        8, seconds(900));
  });

  // --- A metering file: revised values of some point-hours.
  // Points that take readings on channel 01 over both months.
  const Rows codes = MustQuery(stack.db("metering"),
                               "SELECT code FROM metering_points WHERE 1 = ANY (channels) "
                               "AND status = 1 AND valid_from <= '2026-09-01' "
                               "AND (valid_to IS NULL OR valid_to >= '2026-10-31') ORDER BY code");
  REQUIRE(codes.size() > 10);
  if (in.import_csv.empty()) {
    std::mt19937_64 rng(o.seed);
    std::set<std::string> used;
    std::string csv = "point_code,channel,interval_start,value,quality,source\n";
    while (used.size() < 120) {
      const std::string& code = codes[rng() % codes.size()][0];
      const int month = 9 + static_cast<int>(rng() % 2);
      const int day = 1 + static_cast<int>(rng() % 30);
      const int hour = static_cast<int>(rng() % 24);
      const std::string key =
          absl::StrFormat("%s,01,2026-%02d-%02d %02d:00", code, month, day, hour);
      if (!used.insert(key).second) continue;
      absl::StrAppend(&csv, key, ",", 1000 + rng() % 90000, ",,\n");
    }
    in.import_csv = csv;
  }
  step("import", [&] {
    const std::string file = "/tmp/gridbill-faults-import-" + seed + ".csv";
    suite::WriteFile(file, in.import_csv);
    int generation = 1;
    Operate(stack, "metering import", [&](int attempt) {
      if (attempt > 1 &&
          LatestFailed(stack.db("metering"),
                       "SELECT CASE state WHEN 4 THEN 'failed' ELSE '' END FROM jobs "
                       "WHERE kind = 'metering.import' ORDER BY create_time DESC LIMIT 1")) {
        ++generation;
      }
      return std::vector<std::string>{
          "metering", "import",       file,
          "--format", "csv",          "--unit",
          "wh",       "--request-id", absl::StrCat("imp-", seed, "-", generation)};
    });
    std::remove(file.c_str());
  });

  // --- Client retries: edits of single values, each sent as A then B with
  // its own request id. The faulty run sends A with a deadline too short
  // and again, B twice, and A once more after B (an old retry arriving late).
  if (in.slots.empty()) {
    std::mt19937_64 rng(o.seed + 1);
    const int n = static_cast<int>(std::max<int64_t>(100, o.target / 5));
    std::set<std::pair<std::string, int64_t>> used;
    // 2026-09-01T00:00 Asia/Almaty = 2026-08-31T19:00Z; 61 days of hours.
    const int64_t first = 1788202800;
    while (static_cast<int>(in.slots.size()) < n) {
      Inputs::Slot s;
      s.point = codes[rng() % codes.size()][0];
      s.start = first + 3600 * static_cast<int64_t>(rng() % (61 * 24));
      if (!used.insert({s.point, s.start}).second) continue;
      s.a = 500 + static_cast<int64_t>(rng() % 50000);
      s.b = s.a + 1 + static_cast<int64_t>(rng() % 1000);
      in.slots.push_back(s);
    }
  }
  step("retries", [&] {
    auto channel =
        grpc::CreateChannel(stack.metering_address(), grpc::InsecureChannelCredentials());
    auto stub = mv1::ReadingService::NewStub(channel);
    std::mt19937_64 rng(o.seed + 2);
    // Even slots are changed by EditReading, odd ones by IngestReadings (one
    // batch of one reading, as a metering adapter sends a correction).
    auto edit = [&](const Inputs::Slot& s, const std::string& rid, int64_t value, int deadline_ms,
                    bool ingest) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("x-gridbill-principal", "fault-suite");
      ctx.AddMetadata("x-gridbill-roles", "ROLE_OPERATOR");
      ctx.set_deadline(std::chrono::system_clock::now() + milliseconds(deadline_ms));
      if (ingest) {
        mv1::IngestReadingsRequest batch;
        batch.set_request_id(rid);
        batch.set_source(mv1::SOURCE_CMS);
        mv1::Reading* r = batch.add_readings();
        r->set_point_code(s.point);
        r->set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
        r->mutable_interval_start()->set_seconds(s.start);
        r->set_value_wh(value);
        mv1::IngestReadingsResponse resp;
        auto writer = stub->IngestReadings(&ctx, &resp);
        writer->Write(batch);
        writer->WritesDone();
        grpc::Status st = writer->Finish();
        if (st.ok() && resp.summary().rejected() > 0) {
          return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              resp.summary().rejections_size() > 0
                                  ? resp.summary().rejections(0).reason()
                                  : std::string("rejected"));
        }
        return st;
      }
      mv1::EditReadingRequest req;
      req.set_request_id(rid);
      req.set_point_code(s.point);
      req.set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
      req.mutable_interval_start()->set_seconds(s.start);
      req.set_value_wh(value);
      req.set_reason("fault suite edit");
      mv1::EditReadingResponse resp;
      return stub->EditReading(&ctx, req, &resp);
    };
    // Sent until it is answered (the service may be restarting). A refusal
    // is an answer, the same in both runs, and counted.
    auto must = [&](const Inputs::Slot& s, const std::string& rid, int64_t value, bool ingest) {
      grpc::Status st;
      for (int i = 0; i < 100; ++i) {
        st = edit(s, rid, value, 10000, ingest);
        if (st.ok()) return;
        if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
            st.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
            st.error_code() == grpc::StatusCode::NOT_FOUND ||
            st.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
          out.refusals.push_back(absl::StrCat(rid, ": ", st.error_message()));
          return;
        }
        std::this_thread::sleep_for(milliseconds(200));
      }
      FAIL("edit " << rid << " " << s.point << ": " << st.error_message());
    };
    for (size_t k = 0; k < in.slots.size(); ++k) {
      const Inputs::Slot& s = in.slots[k];
      const std::string a = absl::StrCat("chg-", seed, "-", k, "-a");
      const std::string b = absl::StrCat("chg-", seed, "-", k, "-b");
      const bool ingest = k % 2 == 1;
      if (chaos == nullptr) {
        must(s, a, s.a, ingest);
        must(s, b, s.b, ingest);
        continue;
      }
      // A with a deadline of 1..30 ms: it may or may not reach the service.
      (void)edit(s, a, s.a, 1 + static_cast<int>(rng() % 30), ingest);
      chaos->tally().Add("retry.timeout");
      must(s, a, s.a, ingest);  // the retry after the timeout
      must(s, b, s.b, ingest);
      must(s, b, s.b, ingest);
      chaos->tally().Add("retry.duplicate");
      must(s, a, s.a, ingest);  // A's old retry, after B
      chaos->tally().Add("retry.reordered");
    }
  });

  // --- The demo's accounting schemes (setup, no faults).
  Operate(stack, "balance demo-schemes", [&](int) {
    return std::vector<std::string>{"balance", "demo-schemes", "--seed",
                                    seed,      "--max-points", absl::StrCat(o.points)};
  });

  // --- The final balance runs of both months.
  step("balance", [&] {
    for (const char* period : {"2026-09", "2026-10"}) {
      int generation = 1;
      Operate(stack, absl::StrCat("balance run ", period), [&](int attempt) {
        if (attempt > 1 &&
            LatestFailed(
                stack.db("balance"),
                absl::StrCat("SELECT CASE j.state WHEN 4 THEN 'failed' ELSE '' END FROM runs r "
                             "JOIN jobs j ON j.id = r.id::text WHERE r.period = '",
                             period, "-01' AND r.type = 2 ORDER BY r.id DESC LIMIT 1"))) {
          ++generation;
        }
        return std::vector<std::string>{"balance",
                                        "run",
                                        period,
                                        "--type",
                                        "final",
                                        "--request-id",
                                        absl::StrCat("bal-", seed, "-", period, "-", generation)};
      });
      if (chaos != nullptr) {  // the same request once more: the same run, not a new one
        Operate(stack, "balance run again", [&](int) {
          return std::vector<std::string>{"balance",
                                          "run",
                                          period,
                                          "--type",
                                          "final",
                                          "--request-id",
                                          absl::StrCat("bal-", seed, "-", period, "-", generation)};
        });
        chaos->tally().Add("retry.duplicate");
      }
    }
  });

  // --- The invoice runs of both months.
  step("invoice", [&] {
    for (const char* period : {"2026-09", "2026-10"}) {
      int generation = 1;
      Operate(stack, absl::StrCat("invoicing run ", period), [&](int attempt) {
        if (attempt > 1 &&
            LatestFailed(
                stack.db("invoicing"),
                absl::StrCat("SELECT CASE j.state WHEN 4 THEN 'failed' ELSE '' END FROM "
                             "invoice_runs r JOIN jobs j ON j.id = r.id WHERE r.period = '",
                             period, "' ORDER BY r.start_time DESC LIMIT 1"))) {
          ++generation;
        }
        return std::vector<std::string>{"invoicing", "run", period, "--request-id",
                                        absl::StrCat("inv-", seed, "-", period, "-", generation)};
      });
      if (chaos != nullptr) {
        Operate(stack, "invoicing run again", [&](int) {
          return std::vector<std::string>{"invoicing", "run", period, "--request-id",
                                          absl::StrCat("inv-", seed, "-", period, "-", generation)};
        });
        chaos->tally().Add("retry.duplicate");
      }
    }
  });

  // --- Two bank files of payments for part of the invoices.
  if (in.payment_files.empty()) {
    const Rows invoices = MustQuery(
        stack.db("invoicing"),
        "SELECT number, customer_bin, contract_number, total_tiyn, issue_date FROM documents "
        "WHERE doc_type = 'invoice' ORDER BY number");
    REQUIRE(!invoices.empty());
    std::mt19937_64 rng(o.seed + 3);
    std::string files[2];
    for (std::string& f : files) {
      f = "reference,value_date,payer_bin,contract_number,amount,purpose\n";
    }
    for (size_t i = 0; i < invoices.size(); ++i) {
      if (rng() % 10 < 4) continue;
      const int64_t total = std::stoll(invoices[i][3]);
      const int64_t amount = std::max<int64_t>(1, total * static_cast<int64_t>(1 + rng() % 5) / 4);
      absl::StrAppend(&files[rng() % 2], "PAY-", seed, "-", i, ",", invoices[i][4], ",",
                      invoices[i][1], ",", invoices[i][2], ",", Tenge(amount), ",invoice ",
                      invoices[i][0], "\n");
    }
    in.payment_files = {files[0], files[1]};
  }
  step("payments", [&] {
    std::vector<std::string> paths;
    for (size_t i = 0; i < in.payment_files.size(); ++i) {
      paths.push_back(absl::StrCat("/tmp/gridbill-faults-pay-", seed, "-", i, ".csv"));
      suite::WriteFile(paths.back(), in.payment_files[i]);
    }
    auto import = [&](size_t i) {
      return Operate(stack, "import-payments", [&](int) {
        return std::vector<std::string>{"invoicing",
                                        "import-payments",
                                        paths[i],
                                        "--request-id",
                                        absl::StrCat("pay-", seed, "-", i),
                                        "--output",
                                        "json"};
      });
    };
    std::vector<std::string> responses;
    responses.push_back(import(0).out);
    if (chaos != nullptr) {
      (void)import(0);
      chaos->tally().Add("retry.duplicate");
    }
    responses.push_back(import(1).out);
    if (chaos != nullptr) {
      (void)import(0);  // the first file's retry, after the second file
      chaos->tally().Add("retry.reordered");
    }
    out.payment_responses = responses;
    for (const std::string& p : paths) std::remove(p.c_str());
  });
  return out;
}

TEST_CASE(
    "faults: the month close under kills, PostgreSQL restarts, network faults and retries "
    "keeps the books of a fault-free run",
    "[faults]") {
  const Options o = OptionsFromEnv();
  std::cout << "fault suite: GRIDBILL_FAULTS_SEED=" << o.seed << " GRIDBILL_FAULTS=" << o.target
            << " points=" << o.points << std::endl;
  suite::TempDir dir;
  Inputs inputs;
  MakeCommitsDurable();

  // --- The fault-free run.
  Outcome reference;
  Books ref_books;
  {
    Stack stack("f" + std::to_string(o.seed) + "_ref", dir, o.seed);
    stack.Start();
    stack.Supervise(true);
    reference = MonthClose(stack, o, inputs, nullptr);
    REQUIRE(WaitJobsEnded(stack, seconds(120)));
    CHECK(stack.restarts() == 0);
    stack.Stop();
    ref_books = ReadBooks(stack);
  }
  for (const auto& [step, s] : reference.step_seconds) {
    std::cout << "  fault-free " << step << ": " << absl::StrFormat("%.1f s", s) << "\n";
  }

  // --- The same close under faults.
  Chaos chaos(o, reference);
  Outcome faulty;
  Books books;
  std::map<std::string, int64_t> counts;
  int restarts = 0;
  {
    Stack stack("f" + std::to_string(o.seed) + "_flt", dir, o.seed);
    stack.Start();
    stack.Supervise(true);
    faulty = MonthClose(stack, o, inputs, &chaos);
    stack.SetNetFaults(NetFaults{});
    REQUIRE(WaitJobsEnded(stack, seconds(180)));
    restarts = stack.restarts();
    counts = chaos.tally().Counts();
    for (FaultProxy* p : stack.proxies()) {
      for (const auto& [kind, n] : p->Counts()) counts[kind] += n;
    }
    stack.Stop();
    books = ReadBooks(stack);
  }

  // --- The books against the fault-free run's.
  const std::vector<Check> checks = Compare(ref_books, books);
  int64_t total = 0;
  for (const auto& [kind, n] : counts) total += n;
  std::ostringstream s;
  s << "\nfault suite summary (GRIDBILL_FAULTS_SEED=" << o.seed << ")\n";
  s << "faults injected: " << total << " (asked for at least " << o.target << ")\n";
  for (const auto& [kind, n] : counts) s << absl::StrFormat("  %-18s %7d\n", kind, n);
  s << "processes restarted by the supervisor: " << restarts << "\n";
  for (const auto& [step, secs] : faulty.step_seconds) {
    s << absl::StrFormat("  step %-9s %6.1f s with faults, %6.1f s without\n", step, secs,
                         reference.step_seconds[step]);
  }
  for (const auto& [period, rows] : ref_books.read) {
    s << "  the " << period << " final run read " << rows.size() << " point-day revisions, listed "
      << ref_books.read_rows[period] << " times by its shards without faults, "
      << books.read_rows[period] << " with (a point in two shards' schemes is listed twice)\n";
  }
  s << "checked against the fault-free run:\n";
  int failed = 0;
  for (const Check& c : checks) {
    s << "  [" << (c.ok ? "ok" : "DIFFERENT") << "] " << c.what << "\n";
    if (!c.ok) {
      ++failed;
      s << c.detail << "\n";
    }
  }
  auto allocations = [](const Outcome& run, const Books& b) {
    std::vector<std::string> out;
    for (const std::string& r : run.payment_responses) {
      for (const std::string& a : AllocationsOf(r, b)) out.push_back(a);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::vector<std::string> ref_allocations = allocations(reference, ref_books);
  const bool allocations_ok = allocations(faulty, books) == ref_allocations;
  s << "  [" << (allocations_ok ? "ok" : "DIFFERENT")
    << "] payments allocated once: " << ref_allocations.size()
    << " allocations of the imports, the same documents and amounts\n";
  const std::set<std::string> refused_ref(reference.refusals.begin(), reference.refusals.end());
  const std::set<std::string> refused(faulty.refusals.begin(), faulty.refusals.end());
  const bool refusals_ok = refused == refused_ref;
  s << "  [" << (refusals_ok ? "ok" : "DIFFERENT") << "] client edits: " << inputs.slots.size()
    << " values edited twice (A then B), " << refused_ref.size()
    << " edits refused in both runs alike\n";
  s << (failed == 0 && allocations_ok && refusals_ok ? "0 differences\n" : "DIFFERENCES FOUND\n");
  std::cout << s.str() << std::flush;
  for (const Check& c : checks) {
    INFO(c.what << "\n" << c.detail);
    CHECK(c.ok);
  }
  CHECK(allocations_ok);
  CHECK(refusals_ok);
  CHECK(total >= o.target);
  for (const char* kind : {"kill.contracts", "kill.metering", "kill.balance", "kill.invoicing",
                           "kill.gateway", "pg.restart", "net.break", "net.delay", "net.cut",
                           "retry.timeout", "retry.duplicate", "retry.reordered"}) {
    INFO("no fault of kind " << kind << " was injected");
    CHECK(counts[kind] > 0);
  }
}

}  // namespace
}  // namespace gridbill::faults
