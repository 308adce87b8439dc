#include "load.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <latch>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gridbill::gateway::bench {
namespace {

namespace cv1 = ::gridbill::contracts::v1;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "gateway_bench: %s\n", what.c_str());
  std::exit(2);
}

Clock::time_point Due(Clock::time_point start, int i, double rate) {
  return start +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / rate));
}

// The generator wakes at most once per tick and sends every call due by
// then: fewer wake-ups of its own (it shares the cores with what it
// measures). A call sent up to a tick late still counts its latency from
// when it was due.
constexpr Clock::duration kTick = std::chrono::milliseconds(1);

// `due` rounded up to the next tick since `start`.
Clock::time_point WakeFor(Clock::time_point start, Clock::time_point due) {
  const auto ticks = (due - start + kTick - Clock::duration(1)) / kTick;
  return start + ticks * kTick;
}

double MicrosSince(Clock::time_point from) {
  return std::chrono::duration<double, std::micro>(Clock::now() - from).count();
}

}  // namespace

// ---- gRPC ----

struct GrpcLoad::Run {
  Run(int calls, double rate) : rate(rate), calls(calls), micros(calls), sent(calls), done(calls) {}
  const double rate;
  const int calls;
  Clock::time_point start;
  std::vector<double> micros;
  std::vector<double> sent;
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  std::latch done;
};

GrpcLoad::GrpcLoad(std::vector<std::shared_ptr<grpc::Channel>> channels,
                   cv1::GetParticipantRequest request, Decorate decorate)
    : request_(std::move(request)), decorate_(std::move(decorate)) {
  for (auto& channel : channels) stubs_.push_back(cv1::ParticipantService::NewStub(channel));
}

GrpcLoad::~GrpcLoad() = default;

void GrpcLoad::Start(Run& run, int i) {
  struct Call {
    grpc::ClientContext ctx;
    cv1::GetParticipantResponse response;
    Clock::time_point from;
  };
  auto* call = new Call;
  call->from = run.rate > 0 ? Due(run.start, i, run.rate) : Clock::now();
  call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  decorate_(call->ctx);
  stubs_[static_cast<size_t>(i) % stubs_.size()]->async()->GetParticipant(
      &call->ctx, &request_, &call->response, [this, &run, call, i](grpc::Status st) {
        run.micros[static_cast<size_t>(i)] = MicrosSince(call->from);
        run.sent[static_cast<size_t>(i)] =
            std::chrono::duration<double>(call->from - run.start).count();
        if (!st.ok() || call->response.participant().id() != request_.id()) {
          if (run.errors++ < 3) {
            std::fprintf(stderr, "gateway_bench: call failed: %d %s\n", st.error_code(),
                         st.error_message().c_str());
          }
        }
        delete call;
        if (run.rate == 0) {
          if (const int n = run.next++; n < run.calls) Start(run, n);
        }
        run.done.count_down();
      });
}

Outcome GrpcLoad::Go(int calls, double rate) {
  Run run(calls, rate);
  run.start = Clock::now();
  if (rate > 0) {
    for (int i = 0; i < calls; ++i) {
      const Clock::time_point due = Due(run.start, i, rate);
      if (Clock::now() < due) std::this_thread::sleep_until(WakeFor(run.start, due));
      Start(run, i);
    }
  } else {
    const int first = std::min<int>(calls, static_cast<int>(stubs_.size()));
    run.next = first;
    for (int i = 0; i < first; ++i) Start(run, i);
  }
  run.done.wait();
  Outcome out;
  out.seconds = std::chrono::duration<double>(Clock::now() - run.start).count();
  out.micros = std::move(run.micros);
  out.sent = std::move(run.sent);
  out.errors = run.errors;
  return out;
}

// ---- HTTP/1.1 ----

struct HttpLoad::Connection {
  int fd = -1;
  bool busy = false;
  int call = -1;
  int served = 0;  // answers on this connection
  Clock::time_point from;
  std::string in;
};

HttpLoad::HttpLoad(int port, std::string request, std::string success, int connections)
    : port_(port), request_(std::move(request)), success_(std::move(success)) {
  for (int i = 0; i < connections; ++i) {
    auto c = std::make_unique<Connection>();
    c->fd = Connect();
    connections_.push_back(std::move(c));
  }
}

HttpLoad::~HttpLoad() {
  for (auto& c : connections_) close(c->fd);
}

int HttpLoad::Connect() const {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Die(absl::StrCat("cannot connect to the web port ", port_, ": ", std::strerror(errno)));
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as browsers do
  return fd;
}

namespace {

// How much of `in` is one whole HTTP response: 0 while incomplete. Sets
// `close` when the server ends the connection after it.
size_t ResponseLength(const std::string& in, bool* close) {
  const size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return 0;
  const std::string head = absl::AsciiStrToLower(in.substr(0, head_end));
  *close = absl::StrContains(head, "\r\nconnection: close");
  const size_t body = head_end + 4;
  if (const size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    const size_t eol = head.find("\r\n", at + 2);
    int64_t n = 0;
    if (!absl::SimpleAtoi(
            absl::StripAsciiWhitespace(
                head.substr(at + 17, eol == std::string::npos ? std::string::npos : eol - at - 17)),
            &n)) {
      Die("a response with a bad Content-Length");
    }
    return in.size() >= body + static_cast<size_t>(n) ? body + static_cast<size_t>(n) : 0;
  }
  // Chunked: sizes in hex, each chunk followed by CRLF, ending with 0.
  size_t pos = body;
  for (;;) {
    const size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return 0;
    size_t size = 0;
    if (!absl::SimpleHexAtoi(absl::string_view(in).substr(pos, eol - pos), &size)) {
      Die("a chunked response with a bad chunk size");
    }
    pos = eol + 2 + size + 2;
    if (in.size() < pos) return 0;
    if (size == 0) return pos;
  }
}

}  // namespace

Outcome HttpLoad::Go(int calls, double rate) {
  Outcome out;
  out.micros.assign(static_cast<size_t>(calls), 0);
  out.sent.assign(static_cast<size_t>(calls), 0);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  const int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.u64 = UINT64_MAX;
  epoll_ctl(ep, EPOLL_CTL_ADD, timer, &tev);
  auto watch = [ep](Connection& c, size_t index) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = index;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  };
  for (size_t k = 0; k < connections_.size(); ++k) watch(*connections_[k], k);

  const Clock::time_point start = Clock::now();
  std::deque<int> waiting;  // due calls that found no free connection
  std::vector<size_t> idle;
  for (size_t k = connections_.size(); k-- > 0;) idle.push_back(k);
  int next = 0;  // the next call not yet due (open) or not yet sent (closed)
  int finished = 0;

  auto send = [&](size_t k, int call, Clock::time_point from) {
    Connection& c = *connections_[k];
    c.busy = true;
    c.call = call;
    c.from = from;
    if (write(c.fd, request_.data(), request_.size()) != static_cast<ssize_t>(request_.size())) {
      Die(absl::StrCat("writing a request: ", std::strerror(errno)));
    }
  };
  auto dispatch = [&] {
    const Clock::time_point now = Clock::now();
    if (rate > 0) {
      while (next < calls && Due(start, next, rate) <= now) waiting.push_back(next++);
      while (!waiting.empty() && !idle.empty()) {
        const int call = waiting.front();
        waiting.pop_front();
        const size_t k = idle.back();
        idle.pop_back();
        send(k, call, Due(start, call, rate));
      }
      if (next < calls) {
        const auto due = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             WakeFor(start, Due(start, next, rate)).time_since_epoch())
                             .count();
        itimerspec spec{};
        spec.it_value.tv_sec = due / 1000000000;
        spec.it_value.tv_nsec = due % 1000000000;
        timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, nullptr);
      }
    } else {
      while (next < calls && !idle.empty()) {
        const size_t k = idle.back();
        idle.pop_back();
        send(k, next++, now);
      }
    }
  };

  dispatch();
  std::vector<epoll_event> events(connections_.size() + 1);
  char buf[16384];
  while (finished < calls) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10000);
    if (n == 0) Die("no answer from the web port for 10 s");
    for (int e = 0; e < n; ++e) {
      if (events[e].data.u64 == UINT64_MAX) {
        uint64_t expirations = 0;
        [[maybe_unused]] ssize_t r = read(timer, &expirations, sizeof expirations);
        continue;
      }
      const size_t k = events[e].data.u64;
      Connection& c = *connections_[k];
      const ssize_t got = read(c.fd, buf, sizeof buf);
      if (got > 0) c.in.append(buf, static_cast<size_t>(got));
      bool close_after = false;
      const size_t length = c.busy ? ResponseLength(c.in, &close_after) : 0;
      if (got <= 0) close_after = true;
      bool freed = false;
      if (c.busy && (length > 0 || got <= 0)) {
        out.micros[static_cast<size_t>(c.call)] = MicrosSince(c.from);
        out.sent[static_cast<size_t>(c.call)] =
            std::chrono::duration<double>(c.from - start).count();
        const absl::string_view response(c.in.data(), length);
        if (length == 0 || !absl::StartsWith(response, "HTTP/1.1 200") ||
            !absl::StrContains(response, success_)) {
          if (out.errors++ < 3) {
            std::fprintf(
                stderr, "gateway_bench: grpc-web call failed after %.1f ms: %s\n",
                MicrosSince(c.from) / 1000,
                length == 0
                    ? absl::StrCat("the connection closed after ", c.served, " answers").c_str()
                    : std::string(response.substr(0, 300)).c_str());
          }
        }
        c.in.erase(0, length);
        c.busy = false;
        ++c.served;
        freed = true;
        ++finished;
      }
      if (close_after) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = Connect();
        c.in.clear();
        c.served = 0;
        watch(c, k);
        ++out.reconnects;
      }
      if (freed) idle.push_back(k);
    }
    dispatch();
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  close(timer);
  close(ep);
  return out;
}

}  // namespace gridbill::gateway::bench
