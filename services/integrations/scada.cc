#include "scada.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::integrations {
namespace {

class FdConnection final : public LineConnection {
 public:
  FdConnection(int fd, size_t max_line) : fd_(fd), max_line_(max_line) {}
  ~FdConnection() override { close(fd_); }

  Read ReadLine(std::string& line, absl::Duration wait) override {
    for (;;) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return Read::kLine;
      }
      if (closed_ || buffer_.size() > max_line_) {
        if (!buffer_.empty()) {  // a last line without LF (or an overlong one)
          line = std::move(buffer_);
          buffer_.clear();
          return Read::kLine;
        }
        return Read::kClosed;
      }
      pollfd p{fd_, POLLIN, 0};
      const int r = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait)));
      if (r == 0) return Read::kIdle;
      if (r < 0 && errno == EINTR) continue;
      char chunk[16384];
      const ssize_t n = r < 0 ? -1 : read(fd_, chunk, sizeof chunk);
      if (n <= 0) {
        closed_ = true;
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  absl::Status Write(absl::string_view text) override {
    while (!text.empty()) {
      const ssize_t n = send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return absl::UnavailableError("the sender went away");
      text.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

 private:
  int fd_;
  size_t max_line_;
  std::string buffer_;
  bool closed_ = false;
};

}  // namespace

absl::StatusOr<int64_t> ScadaSession::Serve(LineConnection& conn) {
  std::string line;
  int line_no = 0;
  // HELLO first (comment and blank lines before it are allowed).
  std::string stream;
  for (;;) {
    if (conn.ReadLine(line, absl::Seconds(30)) != LineConnection::Read::kLine) {
      return absl::InvalidArgumentError("the sender sent no HELLO");
    }
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    absl::StatusOr<std::string> hello = ParseScadaHello(line, line_no);
    if (!hello.ok()) {
      (void)conn.Write(absl::StrCat("ERR ", hello.status().message(), "\n"));
      return hello.status();
    }
    stream = *hello;
    break;
  }
  const std::string source = absl::StrCat("scada/", stream);
  ASSIGN_OR_RETURN(int64_t stored, store_.StreamPosition(source));
  RETURN_IF_ERROR(conn.Write(absl::StrCat("RESUME ", stored, "\n")));
  int64_t last_seen = stored;
  int64_t total = 0;
  std::vector<ScadaValue> batch;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    const int64_t first = batch.front().seq, last = batch.back().seq;
    absl::Status st = suite_.IngestScada(absl::StrCat(source, "/", first, "-", last), batch);
    if (!st.ok()) {
      (void)store_.RecordAttempt("scada", false, std::string(st.message()), clock_.Now());
      (void)conn.Write(absl::StrCat("ERR 0 ", st.message(), "\n"));
      return st;
    }
    RETURN_IF_ERROR(store_.SetStreamPosition(source, last, clock_.Now()));
    RETURN_IF_ERROR(store_.RecordAttempt("scada", true, "", clock_.Now()));
    total += static_cast<int64_t>(batch.size());
    batch.clear();
    return conn.Write(absl::StrCat("ACK ", last, "\n"));
  };
  for (;;) {
    const LineConnection::Read r = conn.ReadLine(line, options_.flush_after);
    if (r == LineConnection::Read::kIdle) {
      RETURN_IF_ERROR(flush());
      continue;
    }
    if (r == LineConnection::Read::kClosed) {
      RETURN_IF_ERROR(flush());
      return total;
    }
    ++line_no;
    if (line.size() > static_cast<size_t>(options_.max_line_bytes)) {
      const absl::Status bad = absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": longer than ", options_.max_line_bytes, " bytes"));
      (void)conn.Write(absl::StrCat("ERR ", bad.message(), "\n"));
      return bad;
    }
    absl::StatusOr<std::optional<ScadaValue>> v = ParseScadaLine(line, line_no);
    if (!v.ok()) {
      // What came before the bad line is stored and acknowledged first.
      RETURN_IF_ERROR(flush());
      (void)conn.Write(absl::StrCat("ERR ", v.status().message(), "\n"));
      return v.status();
    }
    if (!v->has_value()) continue;
    const ScadaValue& value = **v;
    if (value.seq <= stored) continue;  // a resend of what is stored
    if (value.seq <= last_seen) {
      RETURN_IF_ERROR(flush());
      const absl::Status bad = absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": seq ", value.seq, " is not above ", last_seen));
      (void)conn.Write(absl::StrCat("ERR ", bad.message(), "\n"));
      return bad;
    }
    last_seen = value.seq;
    batch.push_back(value);
    if (static_cast<int>(batch.size()) >= options_.batch_size) RETURN_IF_ERROR(flush());
  }
}

absl::Status ScadaListener::Start(const std::string& address) {
  std::vector<std::string> parts = absl::StrSplit(address, ':');
  int port = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scada_listen_address \"", address, "\" is not host:port"));
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, parts[0] == "localhost" ? "127.0.0.1" : parts[0].c_str(),
                &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("scada_listen_address: \"", parts[0], "\" is not an IPv4 address"));
  }
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 16) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, ": ", strerror(errno)));
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

void ScadaListener::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    absl::MutexLock lock(&mu_);
    open_fds_.insert(fd);
    sessions_.emplace_back([this, fd] {
      FdConnection conn(fd, static_cast<size_t>(options_.max_line_bytes) * 2);
      ScadaSession session(store_, suite_, clock_, options_);
      absl::StatusOr<int64_t> n = session.Serve(conn);
      if (!n.ok()) {
        LogJson("warn", "scada stream ended", {{"error", std::string(n.status().message())}});
      }
      absl::MutexLock l(&mu_);
      open_fds_.erase(fd);  // before conn closes it: Stop never shuts a reused fd
    });
  }
}

void ScadaListener::Stop() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    listen_fd_ = -1;
  }
  std::vector<std::thread> sessions;
  {
    absl::MutexLock lock(&mu_);
    // Each session sees its stream end, stores what it has read, and returns.
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    sessions.swap(sessions_);
  }
  for (std::thread& t : sessions) t.join();
}

}  // namespace gridbill::integrations
