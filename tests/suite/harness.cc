#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "catch2/catch.hpp"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/testing/sanitizer_reports.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

extern char** environ;

namespace gridbill::suite {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// argv / envp as the exec family wants them; the strings stay owned here.
class CArgs {
 public:
  explicit CArgs(std::vector<std::string> strings) : strings_(std::move(strings)) {
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  char* const* get() { return pointers_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

std::vector<std::string> ChildEnvironment(const Env& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    if (name.substr(0, 9) == "GRIDBILL_" || extra.count(std::string(name)) > 0) continue;
    env.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

pid_t Spawn(const std::vector<std::string>& argv, const Env& env, const std::string& stdin_path,
            const std::string& stdout_path, const std::string& stderr_path, bool append) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_addopen(
      &actions, 0, stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), flags, 0644);
  if (stderr_path == stdout_path) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), flags, 0644);
  }
  CArgs c_argv(argv);
  CArgs c_env(ChildEnvironment(env));
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, argv.at(0).c_str(), &actions, nullptr, c_argv.get(), c_env.get());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    Fail("posix_spawn " + argv.at(0));
  }
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Polls waitpid until the child exits or `timeout` passes.
std::optional<int> WaitFor(pid_t pid, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) return DecodeStatus(status);
    if (got < 0 && errno != EINTR) Fail("waitpid");
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

}  // namespace

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Fail("bind");
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) Fail("getsockname");
  close(fd);
  return ntohs(addr.sin_port);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/gridbill-suite-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  // Child processes' logs are usually here: a UBSan report in one is kept
  // before they go (only under deploy/test-sanitized.sh).
  gridbill::testing::KeepSanitizerReports(path_);
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string CreateDatabase(const std::string& name) {
  pgtest::Cluster& cluster = pgtest::Cluster::Get();
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(
      PQconnectdb(cluster.Conninfo("postgres").c_str()), &PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  const std::string sql = "CREATE DATABASE " + name;
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(conn.get()));
  REQUIRE(PQresultStatus(res.get()) == PGRES_COMMAND_OK);
  return cluster.Conninfo(name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) Fail("write " + path);
}

std::string CommandResult::Describe() const {
  std::ostringstream s;
  s << "$ " << command << "\n";
  if (timed_out) {
    s << "(timed out and killed)\n";
  } else {
    s << "(exit code " << exit_code << ")\n";
  }
  auto tail = [](const std::string& text) {
    constexpr size_t kMax = 4000;
    return text.size() <= kMax ? text : "..." + text.substr(text.size() - kMax);
  };
  s << "--- stdout ---\n" << tail(out) << "\n--- stderr ---\n" << tail(err);
  return s.str();
}

CommandResult Run(const std::vector<std::string>& argv, const Env& env, milliseconds timeout,
                  const std::string& stdin_path) {
  TempDir dir;
  CommandResult result;
  result.command = Join(argv);
  const pid_t pid =
      Spawn(argv, env, stdin_path, dir.File("stdout"), dir.File("stderr"), /*append=*/false);
  std::optional<int> status = WaitFor(pid, timeout);
  if (!status) {
    kill(pid, SIGKILL);
    status = WaitFor(pid, seconds(10));
    result.timed_out = true;
  }
  result.exit_code = status.value_or(-1);
  result.out = ReadFile(dir.File("stdout"));
  result.err = ReadFile(dir.File("stderr"));
  return result;
}

std::unique_ptr<Process> Process::Start(const std::vector<std::string>& argv, const Env& env,
                                        const std::string& log_path) {
  const pid_t pid = Spawn(argv, env, "", log_path, log_path, /*append=*/true);
  return std::make_unique<Process>(pid, log_path);
}

Process::~Process() {
  if (Running()) {
    kill(pid_, SIGKILL);
    WaitExit(seconds(10));
  }
}

bool Process::Running() { return !WaitExit(milliseconds(0)).has_value(); }

void Process::Signal(int signal) {
  if (!exit_status_) kill(pid_, signal);
}

std::optional<int> Process::WaitExit(milliseconds timeout) {
  if (!exit_status_) exit_status_ = WaitFor(pid_, timeout);
  return exit_status_;
}

std::optional<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path,
                                    milliseconds timeout, std::string* error) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Fail("socket");
  auto fail = [&](const std::string& why) -> std::optional<HttpResponse> {
    *error = why;
    close(fd);
    return std::nullopt;
  };
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return fail("bad host " + host);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return fail(std::string("connect: ") + std::strerror(errno));
  }
  const std::string request =
      "GET " + path + " HTTP/1.0\r\nHost: " + host + ":" + std::to_string(port) + "\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return fail(std::string("send: ") + std::strerror(errno));
  }
  std::string raw;
  char buf[16384];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(std::string("recv: ") + std::strerror(errno));
    }
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t split = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || split == std::string::npos) {
    *error = "not an HTTP response: " + raw.substr(0, 200);
    return std::nullopt;
  }
  HttpResponse response;
  response.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  response.headers = raw.substr(0, split);
  response.body = raw.substr(split + 4);
  return response;
}

std::string HealthStatus(const std::string& address, const std::string& service,
                         milliseconds timeout) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    return "error: code " + std::to_string(status.error_code()) + " " + status.error_message();
  }
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

}  // namespace gridbill::suite
