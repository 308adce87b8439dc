// The soak: the real binaries (tests/faults/stack.h, no faults) with a small
// demo billed for 2026-10, then for GRIDBILL_SOAK_MINUTES (default 5) at the
// same time:
//  - ingest: readings of one point-day a call, streamed through the gateway's
//    gRPC door as a metering adapter would (each minute's values differ, so
//    every call writes revisions);
//  - portal: gRPC-web reads through the gateway's web door as the portal
//    makes them (participants, a point's readings, documents);
//  - close: the month close again and again: a correction balance run of
//    2026-10, then the invoicing correction run (the notes for what the
//    ingest changed), each through gridbillctl.
// Every minute it prints each kind's calls, errors and latency percentiles
// and each process's resident memory; at the end the first and last minute
// side by side. Not a ctest: run `build/tests/faults/gridbill-soak` (README
// "Reliability").
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/contracts/v1/contracts.pb.h"
#include "gridbill/invoicing/v1/invoicing.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
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

// Latencies and errors of one kind of call in one minute.
struct Window {
  std::vector<double> ms;
  int64_t errors = 0;
  std::string last_error;
};

class Recorder {
 public:
  void Add(const std::string& kind, double ms, bool ok, const std::string& error = "") {
    std::lock_guard<std::mutex> lock(mu_);
    Window& w = now_[kind];
    w.ms.push_back(ms);
    if (!ok) {
      ++w.errors;
      w.last_error = error.substr(0, 160);
    }
  }
  std::map<std::string, Window> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, Window> out;
    out.swap(now_);
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Window> now_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

int64_t RssKib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

// PostgreSQL's resident memory: the postmaster and its children (shared
// buffers are counted in each process that touched them).
int64_t PostgresRssKib() {
  std::ifstream pidfile(pgtest::Cluster::Get().socket_dir() + "/data/postmaster.pid");
  int postmaster = 0;
  pidfile >> postmaster;
  if (postmaster <= 0) return 0;
  int64_t total = RssKib(postmaster);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream status(entry.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("PPid:", 0) == 0) {
        if (std::stoi(line.substr(5)) == postmaster) total += RssKib(std::stoi(name));
        break;
      }
    }
  }
  return total;
}

// One gRPC-web unary call (application/grpc-web+proto) over HTTP/1.1; the
// grpc-status of the answer, or -1 with `error` when there was none.
int GrpcWeb(int port, const std::string& path, const std::string& api_key,
            const std::string& message, std::string* error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    *error = "connect refused";
    return -1;
  }
  std::string body(5, '\0');
  const uint32_t n = static_cast<uint32_t>(message.size());
  body[1] = static_cast<char>(n >> 24);
  body[2] = static_cast<char>(n >> 16);
  body[3] = static_cast<char>(n >> 8);
  body[4] = static_cast<char>(n);
  body += message;
  const std::string request = absl::StrCat(
      "POST ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/grpc-web+proto\r\n",
      "X-Grpc-Web: 1\r\nX-Api-Key: ", api_key, "\r\nContent-Length: ", body.size(),
      "\r\nConnection: close\r\n\r\n", body);
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    *error = "send failed";
    return -1;
  }
  std::string raw;
  char buf[65536];
  for (ssize_t r; (r = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    raw.append(buf, static_cast<size_t>(r));
  ::close(fd);
  if (raw.rfind("HTTP/1.1 200", 0) != 0) {
    *error = raw.substr(0, 120);
    return -1;
  }
  const size_t at = raw.find("grpc-status:");
  if (at == std::string::npos) {
    *error = "no grpc-status";
    return -1;
  }
  const int status = std::atoi(raw.c_str() + at + 12);
  if (status != 0) {
    const size_t m = raw.find("grpc-message:", at);
    *error = m == std::string::npos ? "" : raw.substr(m, raw.find('\r', m) - m);
  }
  return status;
}

TEST_CASE("soak: ingest, portal reads and month closes together", "[soak]") {
  const int64_t minutes = EnvInt("GRIDBILL_SOAK_MINUTES", 5);
  const int points = static_cast<int>(EnvInt("GRIDBILL_SOAK_POINTS", 100));
  std::cout << "soak: " << minutes << " min, " << points << " points" << std::endl;
  suite::TempDir dir;
  Stack stack("soak", dir, 1);
  stack.Start();
  stack.Supervise(true);
  auto ctl = [&](std::vector<std::string> args, seconds timeout = seconds(900)) {
    suite::CommandResult r = stack.Ctl(std::move(args), timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r;
  };
  // --- Setup: the demo billed for 2026-10.
  ctl({"demo", "load", "--seed", "5", "--points", std::to_string(points), "--readings-months", "1",
       "--streams", "2"});
  ctl({"balance", "demo-schemes", "--seed", "5", "--max-points", std::to_string(points)});
  ctl({"balance", "run", "2026-10", "--type", "final", "--request-id", "soak-final"});
  ctl({"invoicing", "run", "2026-10", "--request-id", "soak-invoices"});
  const Rows codes = *Query(stack.db("metering"),
                            "SELECT code FROM metering_points WHERE 1 = ANY (channels) AND "
                            "status = 1 AND valid_from <= '2026-10-01' AND (valid_to IS NULL OR "
                            "valid_to >= '2026-10-31') ORDER BY code");
  REQUIRE(!codes.empty());
  const std::string api_key = stack.ApiKey();
  const int web_port = stack.web_port();

  Recorder rec;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;

  // --- Ingest through the gateway's gRPC door.
  threads.emplace_back([&] {
    auto channel =
        grpc::CreateChannel(stack.service("gateway").address(), grpc::InsecureChannelCredentials());
    auto stub = mv1::ReadingService::NewStub(channel);
    std::mt19937_64 rng(7);
    // 2026-10-01T00:00 Asia/Almaty = 2026-09-30T19:00Z.
    const int64_t october = 1790794800;
    for (int64_t call = 0; !stop; ++call) {
      mv1::IngestReadingsRequest batch;
      batch.set_request_id(absl::StrCat("soak-ingest-", call));
      batch.set_source(mv1::SOURCE_CMS);
      const std::string& point = codes[rng() % codes.size()][0];
      const int64_t day = october + 86400 * static_cast<int64_t>(rng() % 31);
      for (int h = 0; h < 24; ++h) {
        mv1::Reading* r = batch.add_readings();
        r->set_point_code(point);
        r->set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
        r->mutable_interval_start()->set_seconds(day + 3600 * h);
        r->set_value_wh(1000 + static_cast<int64_t>(rng() % 5000));
      }
      grpc::ClientContext ctx;
      ctx.AddMetadata("x-api-key", api_key);
      ctx.set_deadline(std::chrono::system_clock::now() + seconds(30));
      mv1::IngestReadingsResponse resp;
      const auto start = Clock::now();
      auto writer = stub->IngestReadings(&ctx, &resp);
      writer->Write(batch);
      writer->WritesDone();
      const grpc::Status st = writer->Finish();
      rec.Add("ingest", std::chrono::duration<double, std::milli>(Clock::now() - start).count(),
              st.ok() && resp.summary().rejected() == 0, st.error_message());
      std::this_thread::sleep_for(milliseconds(20));
    }
  });

  // --- Portal reads through the gateway's gRPC-web door.
  for (int worker = 0; worker < 2; ++worker) {
    threads.emplace_back([&, worker] {
      std::mt19937_64 rng(100 + worker);
      for (int64_t call = 0; !stop; ++call) {
        std::string path, message;
        std::string kind;
        switch (call % 3) {
          case 0: {
            contracts::v1::ListParticipantsRequest req;
            req.set_page_size(50);
            path = "/gridbill.contracts.v1.ParticipantService/ListParticipants";
            kind = "portal.participants";
            message = req.SerializeAsString();
            break;
          }
          case 1: {
            mv1::GetReadingsRequest req;
            req.set_point_code(codes[rng() % codes.size()][0]);
            req.set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
            req.mutable_period()->set_year(2026);
            req.mutable_period()->set_month(10);
            req.set_aggregation(mv1::AGGREGATION_DAY);  // the portal's month by day
            path = "/gridbill.metering.v1.ReadingService/GetReadings";
            kind = "portal.readings";
            message = req.SerializeAsString();
            break;
          }
          default: {
            invoicing::v1::ListDocumentsRequest req;
            req.mutable_period()->set_year(2026);
            req.mutable_period()->set_month(10);
            req.set_page_size(50);
            path = "/gridbill.invoicing.v1.DocumentService/ListDocuments";
            kind = "portal.documents";
            message = req.SerializeAsString();
          }
        }
        std::string error;
        const auto start = Clock::now();
        const int status = GrpcWeb(web_port, path, api_key, message, &error);
        rec.Add(kind, std::chrono::duration<double, std::milli>(Clock::now() - start).count(),
                status == 0, error);
        std::this_thread::sleep_for(milliseconds(10));
      }
    });
  }

  // --- The month close, again and again.
  threads.emplace_back([&] {
    for (int round = 1; !stop; ++round) {
      for (const auto& [kind, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
               {"close.balance",
                {"balance", "run", "2026-10", "--type", "correction", "--request-id",
                 absl::StrCat("soak-correction-", round)}},
               {"close.invoices",
                {"invoicing", "run", "2026-10", "--correction", "--request-id",
                 absl::StrCat("soak-notes-", round)}}}) {
        if (stop) break;
        const auto start = Clock::now();
        suite::CommandResult r = stack.Ctl(args, seconds(600));
        rec.Add(kind, std::chrono::duration<double, std::milli>(Clock::now() - start).count(),
                r.exit_code == 0, r.err);
      }
    }
  });

  // --- Every minute: the figures.
  std::vector<std::string> rows;
  std::map<std::string, int64_t> first_rss, last_rss;
  int64_t first_errors = -1, last_errors = 0, total_errors = 0;
  const std::vector<std::string> names = {"contracts", "metering", "balance", "invoicing",
                                          "gateway"};
  for (int64_t minute = 1; minute <= minutes; ++minute) {
    std::this_thread::sleep_for(seconds(60));
    const std::map<std::string, Window> w = rec.Take();
    std::ostringstream s;
    int64_t errors = 0;
    s << "minute " << minute << "\n";
    for (const auto& [kind, win] : w) {
      errors += win.errors;
      s << absl::StrFormat("  %-20s %6d calls %4d errors  p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms",
                           kind, win.ms.size(), win.errors, Percentile(win.ms, 0.50),
                           Percentile(win.ms, 0.95), Percentile(win.ms, 0.99));
      if (!win.last_error.empty()) s << "  last error: " << win.last_error;
      s << "\n";
    }
    s << "  RSS MiB:";
    std::map<std::string, int64_t> rss;
    for (const std::string& n : names) {
      rss[n] = RssKib(stack.service(n).process->pid()) / 1024;
      s << " " << n << " " << rss[n];
    }
    rss["postgres"] = PostgresRssKib() / 1024;
    s << " postgres(sum) " << rss["postgres"] << "\n";
    std::cout << s.str() << std::flush;
    if (first_errors < 0) {
      first_errors = errors;
      first_rss = rss;
    }
    last_errors = errors;
    total_errors += errors;
    last_rss = rss;
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  std::cout << "soak done: errors in the first minute " << first_errors << ", in the last "
            << last_errors << "; RSS MiB first -> last:";
  for (const auto& [n, v] : last_rss) std::cout << " " << n << " " << first_rss[n] << "->" << v;
  std::cout << "\nprocesses restarted: " << stack.restarts() << std::endl;
  // Every call is one a healthy suite answers: any error is a defect, not noise.
  CHECK(total_errors == 0);
  CHECK(stack.restarts() == 0);
  // No memory growth: a service's resident set at the end stays within a
  // quarter (and 16 MiB) of the first minute's (PostgreSQL's grows with its cache).
  for (const std::string& n : names) {
    INFO(n << " RSS MiB " << first_rss[n] << " -> " << last_rss[n]);
    CHECK(last_rss[n] <= first_rss[n] + std::max<int64_t>(16, first_rss[n] / 4));
  }
  stack.Stop();
}

}  // namespace
}  // namespace gridbill::faults
