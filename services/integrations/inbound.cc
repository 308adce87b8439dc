#include "inbound.h"

#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client_bank.h"
#include "documents.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "itsm.h"
#include "mt940.h"

namespace gridbill::integrations {
namespace fs = std::filesystem;

absl::StatusOr<int> InboundFolder::Scan() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  std::vector<fs::path> ready;
  std::map<std::string, std::pair<uintmax_t, int64_t>> now_seen;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
    if (!e.is_regular_file(ec)) continue;
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || absl::EndsWith(name, ".tmp")) continue;
    const uintmax_t size = e.file_size(ec);
    const int64_t mtime = static_cast<int64_t>(e.last_write_time(ec).time_since_epoch().count());
    now_seen[name] = {size, mtime};
    auto it = seen_.find(name);
    if (it != seen_.end() && it->second == now_seen[name]) ready.push_back(e.path());
  }
  if (ec) return absl::UnavailableError(absl::StrCat("cannot list ", dir_, ": ", ec.message()));
  seen_ = std::move(now_seen);
  backlog_ = static_cast<int64_t>(seen_.size());
  int handled = 0;
  for (const fs::path& path : ready) {
    const std::string name = path.filename().string();
    ASSIGN_OR_RETURN(std::string content, ReadFile(path.string()));
    const std::string sha = Sha256Hex(content);
    FileOutcome outcome;
    ASSIGN_OR_RETURN(std::optional<InboundFile> before, store_.FindInboundFile(adapter_, sha));
    if (before) {
      outcome.kind = before->imported ? FileOutcome::Kind::kImported : FileOutcome::Kind::kRejected;
      outcome.detail = before->imported ? "already imported (same content)" : before->reason;
    } else {
      outcome = handler_.Handle(name, content, sha);
    }
    if (outcome.kind == FileOutcome::Kind::kRetryLater) {
      RETURN_IF_ERROR(store_.RecordAttempt(adapter_, false, outcome.detail, clock_.Now()));
      continue;
    }
    const bool imported = outcome.kind == FileOutcome::Kind::kImported;
    RETURN_IF_ERROR(store_.RecordInboundFile(
        adapter_, sha, name, InboundFile{imported, imported ? "" : outcome.detail}, clock_.Now()));
    const fs::path target = path.parent_path() / (imported ? "done" : "rejected");
    fs::create_directories(target, ec);
    if (!imported) {
      RETURN_IF_ERROR(
          WriteFileAtomically((target / (name + ".reason")).string(), outcome.detail + "\n"));
    }
    const std::string problem = absl::StrCat(adapter_, "/", name);
    bool open_problem = false;
    if (report_ && imported) {
      DeliveryFilter f;
      f.adapter = "itsm";
      f.fact_id = problem;
      ASSIGN_OR_RETURN(paging::PageOf<Delivery> seen, store_.List(f, paging::Page{1, {}}));
      open_problem = !seen.items.empty();
    }
    if (report_ && (!imported || open_problem)) {
      const Fact fact =
          imported
              ? IncidentResolve(problem, sha, absl::StrCat(name, " imported: ", outcome.detail))
              : IncidentOpen(problem, sha,
                             absl::StrCat("Gridbill ", adapter_, ": ", name, " rejected"),
                             outcome.detail);
      RETURN_IF_ERROR(store_.AppendFacts(kProblemsFeed, "", {fact}, clock_.Now()).status());
    }
    fs::rename(path, target / name, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("cannot move ", name, ": ", ec.message()));
    seen_.erase(name);
    --backlog_;
    ++handled;
  }
  return handled;
}

namespace {

FileOutcome Later(const absl::Status& s) {
  return {FileOutcome::Kind::kRetryLater, std::string(s.message())};
}

// A suite refusal of the content rejects the file; anything else is a retry.
bool IsRefusal(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument ||
         s.code() == absl::StatusCode::kFailedPrecondition ||
         s.code() == absl::StatusCode::kNotFound || s.code() == absl::StatusCode::kAlreadyExists;
}

}  // namespace

FileOutcome CmsFileHandler::Handle(const std::string& name, const std::string& content,
                                   const std::string& sha256) {
  const bool xml =
      content.find("<message") != std::string::npos || absl::EndsWithIgnoreCase(name, ".xml");
  absl::StatusOr<std::string> job =
      suite_.StartMeteringImport(absl::StrCat("cms-", sha256), name, content, xml, unit_);
  if (!job.ok()) {
    if (IsRefusal(job.status())) {
      return {FileOutcome::Kind::kRejected, std::string(job.status().message())};
    }
    return Later(job.status());
  }
  const absl::Time deadline = absl::Now() + wait_;
  for (;;) {
    absl::StatusOr<ImportOutcome> o = suite_.MeteringImport(*job);
    if (!o.ok()) return Later(o.status());
    if (o->done) {
      return {o->succeeded ? FileOutcome::Kind::kImported : FileOutcome::Kind::kRejected,
              o->summary};
    }
    if (absl::Now() > deadline) {
      return Later(absl::DeadlineExceededError(absl::StrCat("import ", *job, " still running")));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

FileOutcome BankFileHandler::Handle(const std::string& name, const std::string& content,
                                    const std::string& sha256) {
  absl::string_view head(content);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  absl::StatusOr<Statement> st = absl::InvalidArgumentError(
      "neither a 1C Client-Bank file (1CClientBankExchange) nor an MT940 statement (:20:)");
  if (absl::StartsWith(head, "1CClientBankExchange")) {
    st = ParseClientBank(content);
  } else if (head.find(":20:") != absl::string_view::npos) {
    st = ParseMt940(content);
  }
  if (!st.ok())
    return {FileOutcome::Kind::kRejected, absl::StrCat(name, ": ", st.status().message())};
  if (st->payments.empty()) {
    return {FileOutcome::Kind::kImported,
            absl::StrCat("no incoming payments (", st->debit_lines, " debits)")};
  }
  absl::StatusOr<PaymentsOutcome> r =
      suite_.ImportPayments(absl::StrCat("bank-", sha256), PaymentsCsv(*st));
  if (!r.ok()) {
    if (IsRefusal(r.status())) {
      return {FileOutcome::Kind::kRejected, absl::StrCat(name, ": ", r.status().message())};
    }
    return Later(r.status());
  }
  return {FileOutcome::Kind::kImported,
          absl::StrCat(r->created, " payments created, ", r->already_present, " already present")};
}

}  // namespace gridbill::integrations
