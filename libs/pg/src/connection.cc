#include "gridbill/pg/connection.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/errors.h"
#include "pool_shared.h"
#include "string_view.h"

namespace gridbill::pg {
namespace {

constexpr absl::string_view kMissingStatement = "26000";
constexpr absl::string_view kFeatureNotSupported = "0A000";
constexpr absl::string_view kStalePlan = "cached plan must not change result type";
constexpr size_t kCopyChunk = 1 << 20;

absl::string_view Field(const PGresult* res, int field) {
  const char* v = res != nullptr ? PQresultErrorField(res, field) : nullptr;
  return v != nullptr ? absl::string_view(v) : absl::string_view();
}

bool Succeeded(const PGresult* res) {
  if (res == nullptr) return false;
  ExecStatusType st = PQresultStatus(res);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

}  // namespace

// Notices (e.g. "relation already exists, skipping") are dropped; warnings
// are worth seeing in the service's log. A FATAL arriving between
// statements is the server ending the session (pg_terminate_backend,
// shutdown): the connection is reopened before its next use.
void Connection::OnNotice(void* arg, const pg_result* res) {
  const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == nullptr) return;
  if (std::strcmp(severity, "WARNING") == 0) {
    std::fprintf(stderr, "postgres: %s", PQresultErrorMessage(res));
  } else if (std::strcmp(severity, "FATAL") == 0 || std::strcmp(severity, "PANIC") == 0) {
    static_cast<Connection*>(arg)->terminated_ = true;
  }
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(PoolShared* shared) {
  // Entries before "dbname" are defaults the conninfo may override; the one
  // after it is forced (the accessors assume UTF-8).
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding",
                        nullptr};
  const char* values[] = {"10", program_invocation_short_name, shared->options.conninfo.c_str(),
                          "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return absl::UnavailableError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", message));
  }
  std::unique_ptr<Connection> c(new Connection(shared, conn));
  RETURN_IF_ERROR(c->Setup());
  return c;
}

absl::Status Connection::Setup() {
  terminated_ = false;
  PQsetNoticeReceiver(conn_, &Connection::OnNotice, this);
  int64_t timeout_ms = 0;
  if (shared_->options.statement_timeout > absl::ZeroDuration()) {
    timeout_ms =
        std::max<int64_t>(1, absl::ToInt64Milliseconds(shared_->options.statement_timeout));
  }
  // The accessors of Row parse these output formats. sql-lint: allowed (an
  // integer of the config, and SET takes no parameters).
  std::string sql = absl::StrCat(
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';"
      " SET bytea_output = 'hex'; SET statement_timeout = ",
      timeout_ms);
  return Command(sql, "session setup").status();
}

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

absl::Status Connection::EnsureHealthy() {
  // A server that closed the session while it sat in the pool (restart,
  // pg_terminate_backend, idle timeout) left an error and EOF on the
  // socket; reading them now marks the connection bad before it is used.
  // An idle session has nothing to read, so one poll() settles the common
  // case. The FATAL message may arrive before the EOF: OnNotice notes it.
  for (int i = 0; i < 4 && !broken(); ++i) {
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    if (poll(&pfd, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) == 0) break;
    PQisBusy(conn_);  // parses what arrived: the FATAL reaches OnNotice
  }
  if (!broken() && in_transaction()) Clean();
  if (!broken() && !terminated_) return absl::OkStatus();
  return Reset();
}

absl::Status Connection::Reset() {
  prepared_.clear();
  stale_.clear();
  PQreset(conn_);
  if (broken()) {
    return absl::UnavailableError(
        absl::StrCat("cannot reconnect to PostgreSQL: ",
                     absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn_))));
  }
  return Setup();
}

void Connection::Clean() {
  switch (PQtransactionStatus(conn_)) {
    case PQTRANS_IDLE:
      return;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
      PQclear(PQexec(conn_, "ROLLBACK"));
      if (!in_transaction()) return;
      break;
    default:
      break;
  }
  // Busy (an unfinished COPY) or lost: start over on the next acquire.
  (void)Reset();
}

absl::Status Connection::ErrorOf(pg_result* res, const char* label) const {
  absl::string_view state = Field(res, PG_DIAG_SQLSTATE);
  absl::string_view message = Field(res, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && res != nullptr) {
    message = absl::StripTrailingAsciiWhitespace(PQresultErrorMessage(res));
  }
  if (message.empty()) message = absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn_));
  std::string text = absl::StrCat(label, ": ", message);
  absl::string_view detail = Field(res, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) absl::StrAppend(&text, " (", detail, ")");
  absl::Status status =
      StatusFromSqlState(Sv(state), text, Sv(Field(res, PG_DIAG_CONSTRAINT_NAME)));
  if (broken() && status.code() != absl::StatusCode::kUnavailable) {
    return absl::UnavailableError(absl::StrCat("lost the connection to PostgreSQL: ", text));
  }
  return status;
}

absl::StatusOr<Result> Connection::Command(std::string_view sql, const char* label) {
  Result res(PQexec(conn_, std::string(sql).c_str()));
  if (Succeeded(res.raw())) return res;
  return ErrorOf(res.raw(), label);
}

absl::Status Connection::ExecuteScript(std::string_view sql, const char* label) {
  absl::Time start = absl::Now();
  absl::Status status = Command(sql, label).status();
  shared_->Observe(label, absl::Now() - start, status.ok());
  return status;
}

absl::StatusOr<Result> Connection::Execute(const Query& query, const Params& params) {
  absl::Time start = absl::Now();
  bool retry = false;
  absl::StatusOr<Result> result = ExecuteOnce(query, params, &retry);
  if (retry) result = ExecuteOnce(query, params, &retry);
  shared_->Observe(query.name != nullptr ? query.name : "", absl::Now() - start, result.ok());
  return result;
}

absl::StatusOr<Result> Connection::ExecuteOnce(const Query& query, const Params& params,
                                               bool* retry) {
  *retry = false;
  const char* name = query.name != nullptr ? query.name : "";
  std::vector<const char*> values = params.Pointers();
  if (*name == '\0') {
    Result res(
        PQexecParams(conn_, query.sql, params.size(), nullptr, values.data(), nullptr, nullptr, 0));
    if (Succeeded(res.raw())) return res;
    return ErrorOf(res.raw(), "statement");
  }

  auto it = prepared_.find(absl::string_view(name));
  if (it != prepared_.end() && it->second != query.sql && std::strcmp(it->second, query.sql) != 0) {
    return absl::InternalError(
        absl::StrCat("two different SQL statements are both named \"", name, "\""));
  }
  if (it == prepared_.end()) {
    if (!stale_.empty() && PQtransactionStatus(conn_) != PQTRANS_INERROR) {
      for (const std::string& stale : stale_) {
        char* ident = PQescapeIdentifier(conn_, stale.c_str(), stale.size());
        if (ident == nullptr) continue;
        // sql-lint: allowed (an identifier escaped by libpq, and DEALLOCATE takes no parameters).
        absl::Status st = Command(absl::StrCat("DEALLOCATE ", ident), name).status();
        PQfreemem(ident);
        RETURN_IF_ERROR(st);
      }
      stale_.clear();
    }
    Result prepared(PQprepare(conn_, name, query.sql, 0, nullptr));
    if (!Succeeded(prepared.raw())) return ErrorOf(prepared.raw(), name);
    prepared_.emplace(name, query.sql);
  }

  const bool in_tx = in_transaction();
  Result res(PQexecPrepared(conn_, name, params.size(), values.data(), nullptr, nullptr, 0));
  if (Succeeded(res.raw())) return res;

  // The session lost the statement (DEALLOCATE / DISCARD ALL by someone
  // else) or its plan went stale after DDL: prepare it again. Inside a
  // transaction the error has aborted it, so the transaction is retried.
  absl::string_view state = Field(res.raw(), PG_DIAG_SQLSTATE);
  bool missing = state == kMissingStatement;
  bool stale = state == kFeatureNotSupported &&
               absl::StrContains(Field(res.raw(), PG_DIAG_MESSAGE_PRIMARY), kStalePlan);
  if ((missing || stale) && !broken()) {
    prepared_.erase(absl::string_view(name));
    if (stale) stale_.emplace_back(name);
    if (!in_tx) {
      *retry = true;
      return ErrorOf(res.raw(), name);
    }
    return absl::AbortedError(absl::StrCat(name, ": the prepared statement ",
                                           missing ? "vanished" : "went stale",
                                           " inside a transaction; the transaction is retried"));
  }
  return ErrorOf(res.raw(), name);
}

absl::StatusOr<int64_t> Connection::CopyIn(std::string_view copy_sql, std::string_view data) {
  absl::Time start = absl::Now();
  Result begin(PQexec(conn_, std::string(copy_sql).c_str()));
  if (begin.raw() == nullptr || PQresultStatus(begin.raw()) != PGRES_COPY_IN) {
    if (!Succeeded(begin.raw())) return ErrorOf(begin.raw(), "copy");
    return absl::InvalidArgumentError("copy: the statement is not COPY ... FROM STDIN");
  }
  absl::Status status;
  for (size_t off = 0; off < data.size() && status.ok(); off += kCopyChunk) {
    size_t n = std::min(kCopyChunk, data.size() - off);
    if (PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1) {
      status = absl::UnavailableError(absl::StrCat("copy: ", PQerrorMessage(conn_)));
    }
  }
  PQputCopyEnd(conn_, status.ok() ? nullptr : "client error");
  int64_t rows = 0;
  while (PGresult* r = PQgetResult(conn_)) {
    Result res(r);
    if (!Succeeded(r)) {
      if (status.ok()) status = ErrorOf(r, "copy");
    } else {
      rows = res.affected();
    }
  }
  shared_->Observe("copy", absl::Now() - start, status.ok());
  if (!status.ok()) return status;
  return rows;
}

}  // namespace gridbill::pg
