#include "gridbill/server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/rpc/status.pb.h"
#include "gridbill/base/errors.h"
#include "gridbill/common/v1/common.pb.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/testing/service_harness.h"
#include "gridbill/testing/v1/testing.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "prometheus/counter.h"

namespace gridbill {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
namespace tv1 = gridbill::testing::v1;

constexpr char kTestService[] = "gridbill.testing.v1.TestService";

class TestServiceImpl final : public tv1::TestService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const tv1::EchoRequest* req,
                    tv1::EchoResponse* resp) override {
    if (req->text() == "fail") return ToGrpc(InvalidField("text", "must not be \"fail\""));
    resp->set_text(req->text());
    return grpc::Status::OK;
  }

  grpc::Status Slow(grpc::ServerContext* ctx, const tv1::SlowRequest* req,
                    tv1::SlowResponse* resp) override {
    if (!slow_started.HasBeenNotified()) slow_started.Notify();
    const absl::Time end = absl::Now() + absl::Milliseconds(req->millis());
    while (absl::Now() < end) {
      if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      absl::SleepFor(absl::Milliseconds(10));
    }
    resp->set_millis(req->millis());
    return grpc::Status::OK;
  }

  grpc::Status Count(grpc::ServerContext*, const tv1::CountRequest* req,
                     grpc::ServerWriter<tv1::CountResponse>* writer) override {
    for (int i = 1; i <= req->count(); ++i) {
      tv1::CountResponse r;
      r.set_value(i);
      writer->Write(r);
    }
    return grpc::Status::OK;
  }

  absl::Notification slow_started;
};

// Captures log lines for the scope of a test.
class LogCapture {
 public:
  LogCapture() {
    previous_ = SetLogSink([this](std::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { SetLogSink(std::move(previous_)); }

  std::vector<std::string> Lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  // Lines containing every one of `parts`.
  std::vector<std::string> Matching(std::initializer_list<absl::string_view> parts) {
    std::vector<std::string> out;
    for (const std::string& line : Lines()) {
      bool all = true;
      for (absl::string_view p : parts) all = all && absl::StrContains(line, p);
      if (all) out.push_back(line);
    }
    return out;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  LogSink previous_;
};

// A strict little JSON reader: true when `text` is exactly one JSON object;
// its top-level scalar members land in `fields` (strings unescaped).
class JsonObject {
 public:
  static bool Parse(std::string_view text, std::map<std::string, std::string>* fields) {
    JsonObject p(text);
    if (!p.Object(fields)) return false;
    p.Ws();
    return p.pos_ == p.s_.size();
  }

 private:
  explicit JsonObject(std::string_view s) : s_(s) {}
  void Ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  bool Eat(char c) {
    Ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        char e = s_[pos_++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out->push_back(e);
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 'b':
          case 'f':
            break;
          case 'u':
            if (pos_ + 4 > s_.size()) return false;
            pos_ += 4;
            out->push_back('?');
            break;
          default:
            return false;
        }
      } else {
        out->push_back(c);
      }
    }
    return false;
  }
  bool Value(std::string* scalar) {
    Ws();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '"') return String(scalar);
    if (c == '{') return Object(nullptr);
    if (c == '[') {
      ++pos_;
      if (Eat(']')) return true;
      do {
        std::string ignored;
        if (!Value(&ignored)) return false;
      } while (Eat(','));
      return Eat(']');
    }
    for (std::string_view lit : {"true", "false", "null"}) {
      if (s_.substr(pos_, lit.size()) == lit) {
        pos_ += lit.size();
        *scalar = std::string(lit);
        return true;
      }
    }
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
            std::string_view("+-.eE").find(s_[pos_]) != std::string_view::npos)) {
      ++pos_;
    }
    if (pos_ == start) return false;
    *scalar = std::string(s_.substr(start, pos_ - start));
    return true;
  }
  bool Object(std::map<std::string, std::string>* fields) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    do {
      Ws();
      std::string key, value;
      if (!String(&key) || !Eat(':') || !Value(&value)) return false;
      if (fields != nullptr) {
        if (fields->count(key)) return false;  // duplicate key
        (*fields)[key] = value;
      }
    } while (Eat(','));
    return Eat('}');
  }

  std::string_view s_;
  size_t pos_ = 0;
};

std::map<std::string, std::string> ParseLine(const std::string& line) {
  std::map<std::string, std::string> fields;
  INFO("log line: " << line);
  REQUIRE(JsonObject::Parse(line, &fields));
  return fields;
}

ServerConfig TestConfig() {
  ServerConfig c;
  c.service_name = "testing";
  c.grpc_address = "127.0.0.1:0";
  c.metrics_address = "127.0.0.1:0";
  c.shutdown_grace = absl::Seconds(10);
  c.log_level = "debug";
  c.max_message_bytes = 1 << 20;
  return c;
}

std::unique_ptr<Server> StartServer(grpc::Service* service, ServerConfig config = TestConfig()) {
  Server::Options options;
  options.config = std::move(config);
  options.services = {service};
  options.handle_signals = false;
  auto server = Server::Start(std::move(options));
  INFO(server.status().ToString());
  REQUIRE(server.ok());
  return std::move(server).value();
}

std::shared_ptr<grpc::Channel> ChannelTo(const Server& server) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.grpc_port()),
                             grpc::InsecureChannelCredentials());
}

HealthCheckResponse::ServingStatus Check(Health::Stub& stub, const std::string& service,
                                         grpc::StatusCode* code = nullptr) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest req;
  req.set_service(service);
  HealthCheckResponse resp;
  grpc::Status s = stub.Check(&ctx, req, &resp);
  if (code != nullptr) *code = s.error_code();
  return resp.status();
}

using ::gridbill::testing::ScrapeMetrics;

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    std::string candidate = absl::StrCat(dir, "/", program);
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

TEST_CASE("binding port 0 reports the real ports - a taken port fails Start") {
  TestServiceImpl service;
  auto server = StartServer(&service);
  CHECK(server->grpc_port() > 0);
  CHECK(server->metrics_port() > 0);
  CHECK(server->grpc_port() != server->metrics_port());

  ServerConfig taken = TestConfig();
  taken.grpc_address = absl::StrCat("127.0.0.1:", server->grpc_port());
  TestServiceImpl other;
  Server::Options options;
  options.config = taken;
  options.services = {&other};
  options.handle_signals = false;
  auto second = Server::Start(std::move(options));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message() == absl::StrCat("grpc: cannot listen on ", taken.grpc_address));

  ServerConfig metrics_taken = TestConfig();
  metrics_taken.metrics_address = absl::StrCat("127.0.0.1:", server->metrics_port());
  Server::Options options2;
  options2.config = metrics_taken;
  options2.services = {&other};
  options2.handle_signals = false;
  auto third = Server::Start(std::move(options2));
  REQUIRE_FALSE(third.ok());
  CHECK(absl::StartsWith(third.status().message(), "metrics: cannot listen on 127.0.0.1:"));

  ServerConfig no_metrics = TestConfig();
  no_metrics.metrics_address = "";
  int seen_port = -1;
  Server::Options options3;
  options3.config = no_metrics;
  options3.services = {&other};
  options3.handle_signals = false;
  options3.on_started = [&](const Server& s) { seen_port = s.grpc_port(); };
  auto fourth = Server::Start(std::move(options3));
  REQUIRE(fourth.ok());
  CHECK((*fourth)->metrics_port() == 0);
  CHECK(seen_port == (*fourth)->grpc_port());
}

TEST_CASE("grpc.health.v1 Check - SERVING per service and overall then NOT_SERVING on request") {
  TestServiceImpl service;
  auto server = StartServer(&service);
  auto stub = Health::NewStub(ChannelTo(*server));

  grpc::StatusCode code;
  CHECK(Check(*stub, "", &code) == HealthCheckResponse::SERVING);
  CHECK(code == grpc::StatusCode::OK);
  CHECK(Check(*stub, kTestService) == HealthCheckResponse::SERVING);
  Check(*stub, "gridbill.nothing.v1.Nope", &code);
  CHECK(code == grpc::StatusCode::NOT_FOUND);

  server->SetServing(false);
  CHECK(Check(*stub, "") == HealthCheckResponse::NOT_SERVING);
  CHECK(Check(*stub, kTestService) == HealthCheckResponse::NOT_SERVING);
  server->SetServing(true);
  CHECK(Check(*stub, kTestService) == HealthCheckResponse::SERVING);
}

TEST_CASE("grpc.health.v1 Watch turns NOT_SERVING as soon as Shutdown begins") {
  LogCapture logs;
  TestServiceImpl service;
  ServerConfig config = TestConfig();
  config.shutdown_grace = absl::Seconds(3);
  auto server = StartServer(&service, config);
  auto stub = Health::NewStub(ChannelTo(*server));

  grpc::ClientContext ctx;
  HealthCheckRequest req;
  req.set_service(kTestService);
  auto reader = stub->Watch(&ctx, req);
  HealthCheckResponse resp;
  REQUIRE(reader->Read(&resp));
  CHECK(resp.status() == HealthCheckResponse::SERVING);

  std::thread waiter([&] { server->Wait(); });
  server->Shutdown();
  REQUIRE(reader->Read(&resp));
  CHECK(resp.status() == HealthCheckResponse::NOT_SERVING);
  ctx.TryCancel();  // lets the drain finish before the grace runs out
  reader->Finish();
  waiter.join();
  CHECK(logs.Matching({"\"msg\":\"shutting down\"", "\"reason\":\"Shutdown()\""}).size() == 1);
  CHECK(logs.Matching({"\"msg\":\"stopped\""}).size() == 1);
}

TEST_CASE("every call is counted in /metrics and logged as one JSON line") {
  LogCapture logs;
  TestServiceImpl service;
  auto server = StartServer(&service);
  auto channel = ChannelTo(*server);
  auto stub = tv1::TestService::NewStub(channel);

  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-request-id", "from-header");
    ctx.AddMetadata("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ctx.AddMetadata(kPrincipalHeader, "user:aliya");
    tv1::EchoRequest req;
    req.set_request_id("from-message");
    req.set_text("hi \"there\"");
    tv1::EchoResponse resp;
    REQUIRE(stub->Echo(&ctx, req, &resp).ok());
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-request-id", "from-header");
    tv1::EchoRequest req;
    req.set_text("no id in the message");
    tv1::EchoResponse resp;
    REQUIRE(stub->Echo(&ctx, req, &resp).ok());
  }
  {
    grpc::ClientContext ctx;
    tv1::EchoRequest req;
    req.set_text("fail");
    tv1::EchoResponse resp;
    grpc::Status s = stub->Echo(&ctx, req, &resp);
    REQUIRE(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    // The field error crosses the wire in grpc-status-details-bin as a
    // google.rpc.Status, the form every gRPC language's rich-error model reads.
    google::rpc::Status rich;
    REQUIRE(rich.ParseFromString(s.error_details()));
    CHECK(rich.code() == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
    CHECK(rich.message() == s.error_message());
    REQUIRE(rich.details_size() == 1);
    CHECK(rich.details(0).type_url() == kErrorDetailsTypeUrl);
    const std::optional<common::v1::ErrorDetails> details = ErrorDetailsOf(s);
    REQUIRE(details.has_value());
    REQUIRE(details->violations_size() == 1);
    CHECK(details->violations(0).field() == "text");
    CHECK(details->violations(0).description() == "must not be \"fail\"");
    CHECK(FieldOf(FromGrpc(s)) == "text");
  }
  {
    grpc::ClientContext ctx;
    tv1::CountRequest req;
    req.set_count(3);
    auto reader = stub->Count(&ctx, req);
    tv1::CountResponse r;
    int n = 0;
    while (reader->Read(&r)) ++n;
    CHECK(n == 3);
    CHECK(reader->Finish().ok());
  }
  {
    // A method nobody serves must not create label sets of its own.
    grpc::GenericStub generic(channel);
    grpc::ClientContext ctx;
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/gridbill.testing.v1.TestService/NoSuchMethod", grpc::StubOptions(),
                      &request, &response, [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = s;
                        done = true;
                        cv.notify_one();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    CHECK(status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
  }

  const std::string metrics = ScrapeMetrics(server->metrics_port());
  INFO(metrics);
  const std::string svc = absl::StrCat("grpc_service=\"", kTestService, "\"");
  CHECK(absl::StrContains(
      metrics, absl::StrCat("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Echo\",", svc,
                            "} 2")));
  CHECK(absl::StrContains(metrics,
                          absl::StrCat("grpc_server_handled_total{grpc_code=\"INVALID_ARGUMENT\","
                                       "grpc_method=\"Echo\",",
                                       svc, "} 1")));
  CHECK(absl::StrContains(
      metrics, absl::StrCat("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Count\",",
                            svc, "} 1")));
  CHECK(absl::StrContains(
      metrics, absl::StrCat("grpc_server_started_total{grpc_method=\"Echo\",", svc, "} 3")));
  CHECK(absl::StrContains(
      metrics, absl::StrCat("grpc_server_handling_seconds_count{grpc_code=\"OK\",grpc_method="
                            "\"Echo\",",
                            svc, "} 2")));
  CHECK(absl::StrContains(metrics, "le=\"0.0005\""));
  CHECK(absl::StrContains(metrics, "le=\"10\""));
  CHECK_FALSE(absl::StrContains(metrics, "NoSuchMethod"));
  CHECK(absl::StrContains(metrics,
                          "grpc_server_handled_total{grpc_code=\"UNIMPLEMENTED\",grpc_method="
                          "\"unknown\",grpc_service=\"unknown\"} 1"));

  if (OnPath("promtool")) {
    const std::string file =
        (std::filesystem::temp_directory_path() / absl::StrCat("gridbill_metrics_", getpid()))
            .string();
    std::ofstream(file) << metrics;
    const int rc = std::system(
        absl::StrCat("promtool check metrics < ", file, " > ", file, ".out 2>&1").c_str());
    std::ifstream out(file + ".out");
    const std::string complaints((std::istreambuf_iterator<char>(out)),
                                 std::istreambuf_iterator<char>());
    std::filesystem::remove(file);
    std::filesystem::remove(file + ".out");
    INFO("promtool: " << complaints);
    CHECK(rc == 0);
  } else {
    WARN("promtool not on PATH: the exposition format was not linted");
  }

  // Log lines: valid JSON, one per call, with what the call carried.
  auto echo_ok = logs.Matching({"/gridbill.testing.v1.TestService/Echo", "\"code\":\"OK\""});
  REQUIRE(echo_ok.size() == 2);
  auto first = ParseLine(echo_ok[0]);
  CHECK(first["level"] == "info");
  CHECK(first["service"] == "testing");
  CHECK(first["method"] == "/gridbill.testing.v1.TestService/Echo");
  CHECK(first["request_id"] == "from-message");  // the message field wins
  CHECK(first["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(first["principal"] == "user:aliya");
  CHECK(std::stod(first["duration_ms"]) >= 0);
  CHECK(absl::StartsWith(first["ts"], "20"));
  CHECK(absl::EndsWith(first["ts"], "Z"));
  auto second = ParseLine(echo_ok[1]);
  CHECK(second["request_id"] == "from-header");
  CHECK(second.count("traceparent") == 0);

  auto failed = logs.Matching({"\"code\":\"INVALID_ARGUMENT\""});
  REQUIRE(failed.size() == 1);
  CHECK(ParseLine(failed[0])["error"] == "text: must not be \"fail\"");
  auto stream = logs.Matching({"/gridbill.testing.v1.TestService/Count"});
  REQUIRE(stream.size() == 1);  // one line for the whole stream
  CHECK(ParseLine(stream[0])["code"] == "OK");
  auto unimplemented = logs.Matching({"\"code\":\"UNIMPLEMENTED\""});
  REQUIRE(unimplemented.size() == 1);
  UNSCOPED_INFO(unimplemented[0]);
  for (const std::string& line : logs.Lines()) ParseLine(line);
}

TEST_CASE("graceful drain - an in-flight call completes while Shutdown is in progress") {
  LogCapture logs;
  TestServiceImpl service;
  auto server = StartServer(&service);
  auto channel = ChannelTo(*server);
  auto stub = tv1::TestService::NewStub(channel);

  grpc::Status slow_status;
  tv1::SlowResponse slow_resp;
  std::atomic<bool> slow_done{false};
  std::thread caller([&] {
    grpc::ClientContext ctx;
    tv1::SlowRequest req;
    req.set_millis(1000);
    slow_status = stub->Slow(&ctx, req, &slow_resp);
    slow_done = true;
  });
  REQUIRE(service.slow_started.WaitForNotificationWithTimeout(absl::Seconds(10)));

  const absl::Time begin = absl::Now();
  server->Shutdown();
  server->Wait();  // returns once the slow call is done
  const absl::Duration drained = absl::Now() - begin;
  caller.join();
  CHECK(slow_status.ok());
  CHECK(slow_resp.millis() == 1000);
  CHECK(drained < absl::Seconds(9));  // well inside the 10 s grace

  // After the drain, nobody is listening.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  tv1::EchoRequest req;
  tv1::EchoResponse resp;
  CHECK(stub->Echo(&ctx, req, &resp).error_code() != grpc::StatusCode::OK);
  CHECK(logs.Matching({"/gridbill.testing.v1.TestService/Slow", "\"code\":\"OK\""}).size() == 1);
  server->Wait();  // a second Wait returns at once
}

TEST_CASE("calls still running when the grace ends are cancelled") {
  TestServiceImpl service;
  ServerConfig config = TestConfig();
  config.shutdown_grace = absl::Milliseconds(300);
  auto server = StartServer(&service, config);
  auto stub = tv1::TestService::NewStub(ChannelTo(*server));

  grpc::Status slow_status;
  std::thread caller([&] {
    grpc::ClientContext ctx;
    tv1::SlowRequest req;
    req.set_millis(20000);
    tv1::SlowResponse resp;
    slow_status = stub->Slow(&ctx, req, &resp);
  });
  REQUIRE(service.slow_started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  const absl::Time begin = absl::Now();
  server->Shutdown();
  server->Wait();
  caller.join();
  CHECK(absl::Now() - begin < absl::Seconds(10));
  CHECK_FALSE(slow_status.ok());
}

TEST_CASE("max_message_bytes and threads bound what one server takes on") {
  TestServiceImpl service;
  ServerConfig config = TestConfig();
  config.max_message_bytes = 64 << 10;
  config.threads = 1;
  auto server = StartServer(&service, config);
  auto stub = tv1::TestService::NewStub(ChannelTo(*server));

  {
    grpc::ClientContext ctx;
    tv1::EchoRequest req;
    req.set_text(std::string(100 << 10, 'x'));
    tv1::EchoResponse resp;
    CHECK(stub->Echo(&ctx, req, &resp).error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  {
    grpc::ClientContext ctx;
    tv1::EchoRequest req;
    req.set_text(std::string(10 << 10, 'x'));
    tv1::EchoResponse resp;
    CHECK(stub->Echo(&ctx, req, &resp).ok());
  }
  // One handler thread: a second call while the first runs is refused
  // (RESOURCE_EXHAUSTED, which clients retry) rather than queued.
  grpc::Status slow_status;
  std::thread caller([&] {
    grpc::ClientContext ctx;
    tv1::SlowRequest req;
    req.set_millis(1000);
    tv1::SlowResponse resp;
    slow_status = stub->Slow(&ctx, req, &resp);
  });
  REQUIRE(service.slow_started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  {
    grpc::ClientContext ctx;
    tv1::EchoRequest req;
    tv1::EchoResponse resp;
    CHECK(stub->Echo(&ctx, req, &resp).error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  caller.join();
  CHECK(slow_status.ok());
}

TEST_CASE("SIGTERM starts the graceful shutdown") {
  LogCapture logs;
  TestServiceImpl service;
  Server::Options options;
  options.config = TestConfig();
  options.services = {&service};
  options.handle_signals = true;
  auto server = Server::Start(std::move(options));
  REQUIRE(server.ok());
  std::raise(SIGTERM);
  (*server)->Wait();
  CHECK(logs.Matching({"\"msg\":\"shutting down\"", "\"reason\":\"SIGTERM\""}).size() == 1);
}

TEST_CASE("the server's registry carries the service's own metrics") {
  TestServiceImpl service;
  auto server = StartServer(&service);
  auto& family = prometheus::BuildCounter()
                     .Name("gridbill_test_widgets_total")
                     .Help("Widgets made by the test.")
                     .Register(server->registry());
  family.Add({}).Increment(3);
  CHECK(absl::StrContains(ScrapeMetrics(server->metrics_port()), "gridbill_test_widgets_total 3"));
}

TEST_CASE("LogJson writes one JSON object with service and level and msg and fields") {
  LogCapture logs;
  SetLogService("contracts");
  SetLogLevel("info");
  LogJson("info", "loaded \"demo\" data\n", {{"participants", "260"}, {"path", "C:\\demo"}});
  LogJson("debug", "dropped below the level");
  SetLogLevel("debug");
  auto lines = logs.Lines();
  REQUIRE(lines.size() == 1);
  auto fields = ParseLine(lines[0]);
  CHECK(fields["level"] == "info");
  CHECK(fields["service"] == "contracts");
  CHECK(fields["msg"] == "loaded \"demo\" data\n");
  CHECK(fields["participants"] == "260");
  CHECK(fields["path"] == "C:\\demo");
}

TEST_CASE("RunMain - 0 on OK and on error an error line with the message and 1") {
  LogCapture logs;
  CHECK(RunMain([] { return absl::OkStatus(); }) == 0);
  CHECK(logs.Lines().empty());
  CHECK(RunMain([] {
          return absl::InvalidArgumentError(
              "config: database_url: required (set it in the config file or "
              "GRIDBILL_DATABASE_URL)");
        }) == 1);
  CHECK(RunMain([]() -> absl::Status { throw std::runtime_error("boom"); }) == 1);
  auto lines = logs.Lines();
  REQUIRE(lines.size() == 2);
  auto fields = ParseLine(lines[0]);
  CHECK(fields["level"] == "error");
  CHECK(fields["msg"] ==
        "config: database_url: required (set it in the config file or GRIDBILL_DATABASE_URL)");
  CHECK(ParseLine(lines[1])["msg"] == "uncaught exception: boom");
}

}  // namespace
}  // namespace gridbill
