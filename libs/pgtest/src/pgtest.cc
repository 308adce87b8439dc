#include "gridbill/pgtest/pgtest.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/sha256.h"

namespace gridbill::pgtest {
namespace {

constexpr const char* kDefaultBin = "/usr/lib/postgresql/15/bin";
constexpr const char* kSuperuser = "postgres";
// The socket lives in the cluster's own directory, so the port only names
// the socket file and cannot collide with another cluster.
constexpr int kPort = 5432;

// Settings for a disposable, fast cluster. Durability is off: a crash loses
// the cluster, which is thrown away anyway.
constexpr const char* kSettings = R"(
# gridbill pgtest
listen_addresses = ''
port = 5432
max_connections = 200
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
autovacuum = off
timezone = 'UTC'
deadlock_timeout = '100ms'
max_parallel_workers_per_gather = 0
dynamic_shared_memory_type = mmap
log_min_messages = warning
log_min_error_statement = panic
)";

// What the cleanup watchdog runs: wait for the test process to go away (the
// pipe on stdin reaches EOF, however the process ended), then make sure
// the server is stopped and its directory removed.
constexpr const char* kWatchdogScript = R"(
cat >/dev/null
d="$1"
if [ -f "$d/data/postmaster.pid" ]; then
  pid=$(head -n 1 "$d/data/postmaster.pid")
  kill -QUIT "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill -KILL "$pid" 2>/dev/null
fi
rm -rf "$d"
)";

[[noreturn]] void Fail(absl::string_view what) {
  throw std::runtime_error(absl::StrCat("pgtest: ", what));
}

std::string Tail(const std::string& path, size_t max_bytes = 4000) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

// Who runs the server's programs: PostgreSQL refuses to run as root.
struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Runs argv[0] (an absolute path) with the output appended to `log`.
absl::Status Run(const std::vector<std::string>& argv, const std::string& log, const RunAs& as,
                 const std::string& cwd) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (as.switch_user) {
      if (setgroups(1, &as.gid) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) _exit(125);
    }
    if (chdir(cwd.c_str()) != 0) _exit(124);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return absl::InternalError(absl::StrCat("waitpid: ", std::strerror(errno)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(argv[0], " failed (",
                                          WIFEXITED(status)
                                              ? absl::StrCat("exit ", WEXITSTATUS(status))
                                              : absl::StrCat("signal ", WTERMSIG(status)),
                                          "):\n", Tail(log)));
}

absl::Status Exec(PGconn* conn, const std::string& sql) {
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  std::string error = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  PQclear(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(sql, ": ", absl::StripTrailingAsciiWhitespace(error)));
}

}  // namespace

struct Cluster::Impl {
  ~Impl() { Stop(); }

  absl::Status EnsureStarted() {
    absl::MutexLock lock(&mu);
    if (started) return absl::OkStatus();
    if (!error.empty()) return absl::InternalError(error);  // failed before: fail fast
    absl::Status st = Start();
    if (!st.ok()) {
      error = std::string(st.message());
      StopLocked();
      return st;
    }
    started = true;
    return absl::OkStatus();
  }

  absl::Status Start() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const char* env_bin = std::getenv("GRIDBILL_PG_BIN");
    bin = env_bin != nullptr && *env_bin != '\0' ? env_bin : kDefaultBin;
    if (access((bin + "/initdb").c_str(), X_OK) != 0) {
      return absl::NotFoundError(absl::StrCat("no PostgreSQL server binaries in ", bin,
                                              " (install postgresql-15 or set GRIDBILL_PG_BIN)"));
    }
    char tmpl[] = "/tmp/gridbill-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
    }
    dir = tmpl;
    data_dir = dir + "/data";
    log = dir + "/commands.log";
    if (geteuid() == 0) {
      struct passwd* pw = getpwnam(kSuperuser);
      if (pw == nullptr) {
        return absl::FailedPreconditionError(
            "running as root, and PostgreSQL refuses to: a 'postgres' user is needed to run it");
      }
      as = RunAs{true, pw->pw_uid, pw->pw_gid};
      if (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return absl::InternalError(absl::StrCat("chown ", dir, ": ", std::strerror(errno)));
      }
    }
    StartWatchdog();

    const char* locale =
        std::filesystem::exists("/usr/lib/locale/C.utf8") ? "--locale=C.UTF-8" : "--locale=C";
    absl::Status st = Run({bin + "/initdb", "-D", data_dir, "-U", kSuperuser, "-A", "trust", "-E",
                           "UTF8", locale, "--no-sync", "--no-instructions"},
                          log, as, dir);
    if (!st.ok()) return st;
    {
      std::ofstream conf(data_dir + "/postgresql.conf", std::ios::app);
      conf << kSettings << "unix_socket_directories = '" << dir << "'\n";
      if (!conf) return absl::InternalError("cannot write postgresql.conf");
    }
    st = Run({bin + "/pg_ctl", "-D", data_dir, "-l", dir + "/postgres.log", "-w", "-t", "60", "-s",
              "start"},
             log, as, dir);
    if (!st.ok()) {
      return absl::InternalError(
          absl::StrCat(st.message(), "\nserver log:\n", Tail(dir + "/postgres.log")));
    }
    server_running = true;
    return absl::OkStatus();
  }

  void StartWatchdog() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;  // best effort: the destructor still cleans up
    std::string script = kWatchdogScript;
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
      dup2(fds[0], 0);
      if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
      }
      setsid();  // survives a Ctrl-C aimed at the test's process group
      execl("/bin/sh", "sh", "-c", script.c_str(), "gridbill-pgtest-watchdog", dir.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[0]);
    if (pid < 0) {
      close(fds[1]);
      return;
    }
    watchdog_pid = pid;
    watchdog_fd = fds[1];
  }

  void Stop() {
    absl::MutexLock lock(&mu);
    StopLocked();
  }

  void StopLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (server_running) {
      (void)Run({bin + "/pg_ctl", "-D", data_dir, "-m", "immediate", "-w", "-s", "stop"}, log, as,
                dir);
      server_running = false;
    }
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      dir.clear();
    }
    if (watchdog_fd >= 0) {
      close(watchdog_fd);  // the watchdog finds nothing left and exits
      watchdog_fd = -1;
      int status;
      while (waitpid(watchdog_pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    started = false;
  }

  absl::Mutex mu;
  bool started ABSL_GUARDED_BY(mu) = false;
  bool server_running ABSL_GUARDED_BY(mu) = false;
  std::string error ABSL_GUARDED_BY(mu);
  // Written once by Start() under mu, read-only afterwards.
  std::string bin;
  std::string dir;
  std::string data_dir;
  std::string log;
  RunAs as;
  int watchdog_fd = -1;
  pid_t watchdog_pid = -1;
};

Cluster::Cluster() : impl_(std::make_unique<Impl>()) {}

Cluster::~Cluster() = default;

Cluster& Cluster::Get() {
  static Cluster cluster;
  absl::Status st = cluster.impl_->EnsureStarted();
  if (!st.ok()) Fail(absl::StrCat("cannot start the test cluster: ", st.message()));
  return cluster;
}

std::string Cluster::Conninfo(const std::string& database) const {
  return absl::StrCat("host=", impl_->dir, " port=", kPort, " user=", kSuperuser,
                      " dbname=", database);
}

const std::string& Cluster::socket_dir() const { return impl_->dir; }

namespace {

PGconn* ConnectAdmin(const Cluster& cluster) {
  PGconn* conn = PQconnectdb(cluster.Conninfo("postgres").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    Fail(absl::StrCat("cannot connect to the test cluster: ", error));
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

// Template databases (one per distinct migration set, migrated once) and
// their clones. Cloning takes a few hundred milliseconds, so a background
// thread keeps one clone of each template ready for the next test and
// drops finished databases off the test's critical path.
class Databases {
 public:
  static Databases& Get() {
    // Constructed after the cluster, hence destroyed before it stops.
    Cluster& cluster = Cluster::Get();
    static Databases databases(cluster);
    return databases;
  }

  ~Databases() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    // Abandon a clone in progress: the cluster goes away anyway.
    char error[256];
    PQcancel(worker_cancel_, error, sizeof error);
    worker_.join();
    PQfreeCancel(worker_cancel_);
    PQfinish(worker_conn_);
    PQfinish(admin_);
  }

  // Creates a database with `migrations` applied; returns its name.
  std::string Create(const std::vector<pg::MigrationFile>& migrations) {
    std::string key;
    for (const pg::MigrationFile& f : migrations) {
      absl::StrAppend(&key, f.name, "\n", Sha256Hex(f.sql), "\n");
    }
    std::string tmpl;
    {
      absl::MutexLock lock(&mu_);
      Template& t = TemplateFor(key, migrations);
      if (!t.error.ok()) Fail(t.error.message());
      tmpl = t.name;
      t.wanted = true;  // from now on, keep a clone of it ready
      if (!t.ready.empty()) {
        std::string name = std::move(t.ready.front());
        t.ready.pop_front();
        return name;
      }
    }
    std::string name = NextName();
    absl::MutexLock lock(&admin_mu_);
    absl::Status st = Exec(admin_, absl::StrCat("CREATE DATABASE ", name, " TEMPLATE ", tmpl));
    if (!st.ok()) Fail(st.message());
    return name;
  }

  void Drop(const std::string& name) {
    absl::MutexLock lock(&mu_);
    to_drop_.push_back(name);
  }

 private:
  struct Template {
    std::string name;
    absl::Status error;
    bool wanted = false;
    std::deque<std::string> ready;
  };

  explicit Databases(Cluster& cluster)
      : cluster_(cluster), admin_(ConnectAdmin(cluster)), worker_conn_(ConnectAdmin(cluster)) {
    worker_cancel_ = PQgetCancel(worker_conn_);
    worker_ = std::thread([this] { Work(); });
  }

  std::string NextName() { return absl::StrCat("t_", next_.fetch_add(1) + 1); }

  Template& TemplateFor(const std::string& key, const std::vector<pg::MigrationFile>& migrations)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = templates_.find(key);
    if (it != templates_.end()) return it->second;
    Template& t = templates_[key];
    t.name = absl::StrCat("tmpl_", templates_.size());
    absl::MutexLock lock(&admin_mu_);
    t.error = BuildTemplate(t.name, migrations);
    return t;
  }

  absl::Status BuildTemplate(const std::string& name,
                             const std::vector<pg::MigrationFile>& migrations)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    absl::Status st = Exec(admin_, absl::StrCat("CREATE DATABASE ", name));
    if (!st.ok()) return st;
    pg::PoolOptions options;
    options.conninfo = cluster_.Conninfo(name);
    options.size = 1;
    absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(options);
    if (!pool.ok()) return pool.status();
    absl::StatusOr<pg::MigrationReport> report = pg::Migrate(**pool, migrations);
    pool->reset();  // a template must have no connections when cloned
    if (!report.ok()) {
      (void)Exec(admin_, absl::StrCat("DROP DATABASE IF EXISTS ", name, " WITH (FORCE)"));
      return absl::Status(report.status().code(),
                          absl::StrCat("migrating the test database: ", report.status().message()));
    }
    return absl::OkStatus();
  }

  // The template that wants a clone ready, if any.
  Template* Starved() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& [key, t] : templates_) {
      if (t.wanted && t.error.ok() && t.ready.empty()) return &t;
    }
    return nullptr;
  }

  bool HasWork() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || !to_drop_.empty() || Starved() != nullptr;
  }

  void Work() {
    while (true) {
      std::string sql;
      std::string tmpl;
      std::string clone;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &Databases::HasWork));
        if (stop_) return;
        if (Template* t = Starved()) {  // the next test waits on this one
          tmpl = t->name;
          clone = NextName();
          sql = absl::StrCat("CREATE DATABASE ", clone, " TEMPLATE ", tmpl);
        } else {
          sql = absl::StrCat("DROP DATABASE IF EXISTS ", to_drop_.front(), " WITH (FORCE)");
          to_drop_.pop_front();
        }
      }
      absl::Status st = Exec(worker_conn_, sql);
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      if (!st.ok()) {
        std::fprintf(stderr, "pgtest: %s\n", std::string(st.message()).c_str());
        if (!clone.empty()) {
          // Stop prefetching for it; Create() clones synchronously and
          // reports the error where a test sees it.
          for (auto& [key, t] : templates_) {
            if (t.name == tmpl) t.wanted = false;
          }
        }
        continue;
      }
      if (!clone.empty()) {
        for (auto& [key, t] : templates_) {
          if (t.name == tmpl) t.ready.push_back(clone);
        }
      }
    }
  }

  Cluster& cluster_;
  std::atomic<int> next_{0};

  // The foreground session: templates and clones a test waits for.
  absl::Mutex admin_mu_ ABSL_ACQUIRED_AFTER(mu_);
  PGconn* admin_ ABSL_GUARDED_BY(admin_mu_);

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, Template> templates_ ABSL_GUARDED_BY(mu_);  // stable references
  std::deque<std::string> to_drop_ ABSL_GUARDED_BY(mu_);

  // The background session, used only by worker_.
  PGconn* worker_conn_;
  PGcancel* worker_cancel_ = nullptr;
  std::thread worker_;
};

}  // namespace

Database::Database(const std::vector<pg::MigrationFile>& migrations, int pool_size) {
  Databases& databases = Databases::Get();
  name_ = databases.Create(migrations);
  conninfo_ = Cluster::Get().Conninfo(name_);
  pg::PoolOptions options;
  options.conninfo = conninfo_;
  options.size = pool_size;
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(options);
  if (!pool.ok()) {
    databases.Drop(name_);
    Fail(pool.status().message());
  }
  pool_ = std::move(pool).value();
}

namespace {
std::vector<pg::MigrationFile> LoadOrFail(const std::string& dir) {
  absl::StatusOr<std::vector<pg::MigrationFile>> files = pg::LoadMigrationsFromDir(dir);
  if (!files.ok()) Fail(files.status().message());
  return std::move(files).value();
}
}  // namespace

Database::Database(const std::string& migrations_dir, int pool_size)
    : Database(LoadOrFail(migrations_dir), pool_size) {}

Database::~Database() {
  pool_.reset();
  Databases::Get().Drop(name_);
}

}  // namespace gridbill::pgtest
