#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace gridbill::faults {
namespace {

int Listen(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("proxy: socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("proxy: bind");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  if (::listen(fd, 128) != 0) throw std::runtime_error("proxy: listen");
  return fd;
}

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Closes with a reset rather than a FIN: the peer sees the connection cut.
void Reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

FaultProxy::FaultProxy(std::string name, int target_port, uint64_t seed)
    : name_(std::move(name)), target_port_(target_port), rng_(seed) {
  listen_fd_ = Listen(&port_);
  acceptor_ = std::thread([this] { Accept(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  for (std::thread& t : relays_) t.join();
}

void FaultProxy::Set(const NetFaults& faults) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = faults;
  // The first new connection while these settings hold is broken for sure
  // (the rest by chance): paths reconnect only after a kill, a restart or a
  // cut, so by chance alone a run may see no break at all.
  break_next_ = faults.break_connection > 0 && faults.break_budget > 0;
}

std::map<std::string, int64_t> FaultProxy::Counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void FaultProxy::Accept() {
  while (!stop_) {
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (stop_) return;
      continue;
    }
    ++connections_;
    bool broken = false;
    uint64_t stream_seed = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream_seed = rng_();
      broken = (break_next_ ||
                std::uniform_real_distribution<double>(0, 1)(rng_) < faults_.break_connection) &&
               faults_.break_budget > 0;
      break_next_ = false;
      if (broken) {
        --faults_.break_budget;
        ++counts_["net.break"];
      }
    }
    if (broken) {
      Reset(client);
      continue;
    }
    relays_.emplace_back([this, client, stream_seed] { Relay(client, stream_seed); });
  }
}

void FaultProxy::Relay(int client, uint64_t stream_seed) {
  std::mt19937_64 rng(stream_seed);
  std::uniform_real_distribution<double> coin(0, 1);
  const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(target_port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(server);
    Reset(client);  // the service is down: the client sees a refused peer
    return;
  }
  int one = 1;
  ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  std::vector<char> buf(64 * 1024);
  bool cut = false;
  while (!stop_ && !cut) {
    if (::poll(fds, 2, 200) < 0) break;
    bool closed = false;
    for (int i = 0; i < 2 && !closed && !cut; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n <= 0) {
        closed = true;
        break;
      }
      // Draw every decision for every chunk, faults on or off, so that the
      // sequence of decisions does not depend on when faults were switched.
      const double d = coin(rng);
      const int delay_ms = 1 + static_cast<int>(rng() % 20);
      const double c = coin(rng);
      bool delay = false;
      bool cut_now = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        delay = d < faults_.delay_chunk;
        if (delay) ++counts_["net.delay"];
        cut_now = c < faults_.cut_chunk && faults_.cut_budget > 0;
        if (cut_now) {
          --faults_.cut_budget;
          ++counts_["net.cut"];
        }
      }
      if (delay) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      if (cut_now) {
        // Half of the chunk goes through, then the connection is cut.
        WriteAll(fds[1 - i].fd, buf.data(), static_cast<size_t>(n) / 2);
        cut = true;
        break;
      }
      if (!WriteAll(fds[1 - i].fd, buf.data(), static_cast<size_t>(n))) closed = true;
    }
    if (closed) break;
  }
  if (cut) {
    Reset(server);
    Reset(client);
    return;
  }
  ::close(server);
  ::close(client);
}

}  // namespace gridbill::faults
