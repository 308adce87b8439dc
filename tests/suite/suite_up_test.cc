// The README's first command as a user runs it, without the demo:
// `./deploy/up.sh --no-demo` from the checkout, on this build (no rebuild:
// build.sh --runtime finds nothing to do), into a run directory of its own
// (GRIDBILL_RUN_DIR). It must print where the portal and the APIs are; every
// service then answers grpc.health.v1 SERVING (with the client certificate
// up made, as gridbillctl presents it), the portal answers, and the
// README's psql line reaches the contracts database; the stand-ins up starts
// (ESF 7208, ITSM 7209, the CMIS archive 7211, ERP 7212) answer the README's
// curl lines. `./deploy/down.sh`
// then stops every process up started and keeps the data; `--purge`
// deletes the run directory and the cluster.
//
// ctest runs this binary in a network namespace of its own (in_netns.sh:
// unshare -n, as root; skipped where none can be made): up's fixed ports
// (7100-7107, 8100, 9100-9107, PostgreSQL 55432) are then the namespace's,
// so a developer's own `up` on this machine is neither seen nor touched.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

constexpr char kSource[] = GRIDBILL_SOURCE_DIR;
constexpr char kBuild[] = GRIDBILL_BUILD_DIR;

struct Service {
  std::string name;
  int grpc_port;
  int metrics_port;
};
// up's table (deploy/lib.sh SERVICES, integrations started after the gateway).
const std::vector<Service> kServices = {{"contracts", 7101, 9101},   {"metering", 7102, 9102},
                                        {"balance", 7103, 9103},     {"invoicing", 7104, 9104},
                                        {"forecasting", 7105, 9105}, {"reporting", 7106, 9106},
                                        {"gateway", 7100, 9100},     {"integrations", 7107, 9107}};

bool PortOpen(int port) {
  std::string error;
  // Any answer (even a 404) or a reset means something listens; only a
  // refused connection (no answer at all) means nothing does.
  return HttpGet("127.0.0.1", port, "/", seconds(2), &error).has_value() ||
         error.find("refused") == std::string::npos;
}

// A process that has not exited (an exited one not yet reaped is a zombie).
bool Alive(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

std::string Health(const std::string& address,
                   const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok())
    return absl::StrCat("error: code ", status.error_code(), " ", status.error_message());
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

// The lines of the first ```sh block after the README line that starts
// with `marker`, as printed (comments kept).
std::vector<std::string> ReadmeBlockAfter(const std::string& marker) {
  std::vector<std::string> out;
  bool seen = false, inside = false;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(std::string(kSource) + "/README.md"), '\n')) {
    if (!seen) {
      seen = absl::StartsWith(line, marker);
    } else if (!inside) {
      inside = absl::StartsWith(line, "```sh");
    } else if (absl::StartsWith(line, "```")) {
      break;
    } else {
      out.emplace_back(line);
    }
  }
  return out;
}

// The README's line that starts with `prefix`, its comment dropped.
std::string ReadmeLine(const std::string& prefix) {
  for (absl::string_view line :
       absl::StrSplit(ReadFile(std::string(kSource) + "/README.md"), '\n')) {
    if (!absl::StartsWith(line, prefix)) continue;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    return std::string(absl::StripTrailingAsciiWhitespace(line));
  }
  return "";
}

// down.sh --purge for whatever up left, also when a check failed midway.
struct Down {
  Env env;
  bool done = false;
  ~Down() {
    if (!done)
      Run({"/bin/bash", std::string(kSource) + "/deploy/down.sh", "--purge"}, env, seconds(120));
  }
};

TEST_CASE("up --no-demo starts every service, prints where they are; down --purge stops them",
          "[suite][up]") {
  {
    INFO("up runs PostgreSQL as user postgres: this test needs root");
    REQUIRE(geteuid() == 0);
  }
  // In a namespace of our own nothing listens on up's ports before up.
  for (int port : {7100, 7101, 8100, 55432}) {
    INFO("port " << port << " is taken: run this test through ctest (unshare -n)");
    REQUIRE_FALSE(PortOpen(port));
  }
  TempDir dir;
  const std::string run_dir = dir.File("run");
  const Env env = {{"GRIDBILL_BUILD_DIR", kBuild}, {"GRIDBILL_RUN_DIR", run_dir}};
  Down down{env};

  const CommandResult up =
      Run({"/bin/bash", std::string(kSource) + "/deploy/up.sh", "--no-demo"}, env, seconds(600));
  INFO(up.Describe());
  REQUIRE(up.exit_code == 0);
  const std::string out = up.out + up.err;
  // build.sh --runtime on a built tree: nothing compiled.
  CHECK(out.find("ninja: no work to do.") != std::string::npos);
  CHECK(out.find("Gridbill is up.") != std::string::npos);
  for (const Service& s : kServices) {
    if (s.name == "integrations") continue;  // its own line below
    INFO(s.name);
    CHECK(std::regex_search(
        out, std::regex(absl::StrCat("\n  ", s.name, " +127\\.0\\.0\\.1:", s.grpc_port,
                                     " +http://127\\.0\\.0\\.1:", s.metrics_port, "/metrics"))));
  }
  CHECK(out.find("gateway      gRPC for integrators 127.0.0.1:7100") != std::string::npos);
  CHECK(out.find("portal       http://127.0.0.1:8100/") != std::string::npos);
  CHECK(out.find("integrations is up") != std::string::npos);
  CHECK(out.find("not built") == std::string::npos);
  const std::string psql = ReadmeLine("psql -h ");
  REQUIRE(psql == "psql -h 127.0.0.1 -p 55432 -U gridbill contracts");
  CHECK(out.find("               " + psql + "\n") != std::string::npos);

  // Every service answers, to the client certificate up made for gridbillctl.
  const std::string certs = run_dir + "/certs";
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(certs + "/ca.crt");
  tls.pem_private_key = ReadFile(certs + "/gridbillctl.key");
  tls.pem_cert_chain = ReadFile(certs + "/gridbillctl.crt");
  const auto credentials = grpc::SslCredentials(tls);
  std::vector<pid_t> pids;
  for (const Service& s : kServices) {
    INFO(s.name);
    const std::string address = absl::StrCat("127.0.0.1:", s.grpc_port);
    // The gateway's gRPC door for integrators is not behind the suite's mutual TLS.
    const std::string status =
        Health(address, s.name == "gateway" ? grpc::InsecureChannelCredentials() : credentials);
    CHECK(status == "SERVING");
    std::string error;
    const auto metrics = HttpGet("127.0.0.1", s.metrics_port, "/metrics", seconds(5), &error);
    CHECK((metrics && metrics->status == 200));
    const std::string pid_text = ReadFile(run_dir + "/pids/" + s.name + ".pid");
    REQUIRE(!pid_text.empty());
    pids.push_back(std::stoi(pid_text));
  }
  // The stand-ins of ESF, ITSM, the CMIS archive and ERP, each with its pid
  // file, the archive over CMIS (gridbill-cmis-standin is built).
  CHECK(out.find(" and http://127.0.0.1:7211/cmis/browser/gridbill") != std::string::npos);
  for (const char* standin : {"esf", "itsm", "cmis", "erp"}) {
    INFO(standin << "-standin");
    const std::string pid_text = ReadFile(absl::StrCat(run_dir, "/pids/", standin, "-standin.pid"));
    REQUIRE(!pid_text.empty());
    pids.push_back(std::stoi(pid_text));
  }
  // The README's curl lines ("Stand-ins in up"), as printed: each answers
  // JSON with the fields its comment names ("ERP: deliveries, duplicates").
  const std::vector<std::string> curls = ReadmeBlockAfter("**Stand-ins in `up`.**");
  REQUIRE(curls.size() == 5);
  for (const std::string& line : curls) {
    INFO(line);
    REQUIRE(absl::StartsWith(line, "curl -s http://127.0.0.1:72"));
    const CommandResult c = Run({"/bin/bash", "-c", line}, {}, seconds(30));
    INFO(c.Describe());
    CHECK(c.exit_code == 0);
    CHECK(absl::StartsWith(c.out, "{"));
    const std::string comment = line.substr(line.find('#') + 1);
    const std::string fields = comment.substr(comment.find(':') + 1);
    if (absl::StrContains(line, "/received")) {
      CHECK(absl::StrContains(c.out, "\"deliveries\":["));
      CHECK(absl::StrContains(c.out, "\"rejected\":["));
      continue;
    }
    for (absl::string_view field : absl::StrSplit(fields, ',', absl::SkipWhitespace())) {
      const std::string key(absl::StripAsciiWhitespace(field));
      INFO("field " << key);
      CHECK(absl::StrContains(c.out, absl::StrCat("\"", key, "\":")));
    }
  }

  std::string error;
  const auto portal = HttpGet("127.0.0.1", 8100, "/", seconds(5), &error);
  INFO(error);
  REQUIRE(portal.has_value());
  CHECK(portal->status == 200);
  CHECK(portal->body.find("<html") != std::string::npos);

  // The README's psql line, as printed, reading a query from its input.
  WriteFile(dir.File("query.sql"), "SELECT current_user || ' on ' || current_database();\n");
  const CommandResult q = Run({"/bin/bash", "-c", psql}, {}, seconds(30), dir.File("query.sql"));
  INFO(q.Describe());
  CHECK(q.exit_code == 0);
  CHECK(q.out.find("gridbill on contracts") != std::string::npos);

  // down: every process stopped, the ports closed, the data kept.
  const std::string pg_dir = std::filesystem::canonical(run_dir + "/pg").string();
  const std::string down_sh = std::string(kSource) + "/deploy/down.sh";
  const CommandResult d = Run({"/bin/bash", down_sh}, env, seconds(180));
  INFO(d.Describe());
  CHECK(d.exit_code == 0);
  for (pid_t pid : pids) {
    INFO("pid " << pid);
    CHECK_FALSE(Alive(pid));
  }
  for (const Service& s : kServices) {
    INFO(s.name);
    CHECK_FALSE(PortOpen(s.grpc_port));
    CHECK_FALSE(PortOpen(s.metrics_port));
  }
  for (int port : {8100, 55432, 7208, 7209, 7211, 7212}) {
    INFO("port " << port);
    CHECK_FALSE(PortOpen(port));
  }
  CHECK(std::filesystem::exists(pg_dir + "/data/PG_VERSION"));

  // down --purge: the run directory and the cluster deleted.
  const CommandResult purge = Run({"/bin/bash", down_sh, "--purge"}, env, seconds(180));
  down.done = true;
  INFO(purge.Describe());
  CHECK(purge.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(run_dir));
  CHECK_FALSE(std::filesystem::exists(pg_dir));
}

}  // namespace
}  // namespace gridbill::suite
