// In-memory fakes for the pure domain tests: a Store with the semantics the
// domain relies on (ids, versions, filters, transactional rollback), and the
// shared clock the test moves.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/testing/fake_clock.h"
#include "store.h"

namespace gridbill::contracts::testing {

using FakeClock = ::gridbill::testing::FakeClock;

class FakeStore final : public Store {
 public:
  // Rolls every change back when fn fails, like a database transaction.
  absl::Status Atomically(absl::FunctionRef<absl::Status()> fn) override {
    if (depth_ > 0) return fn();
    State saved = state_;
    ++depth_;
    absl::Status st = fn();
    --depth_;
    if (!st.ok()) state_ = std::move(saved);
    return st;
  }

  absl::Status AppendHistory(Resource resource, const std::string& id,
                             const ChangeEntry& entry) override {
    state_.history[{resource, id}].push_back(entry);
    return absl::OkStatus();
  }
  absl::StatusOr<paging::PageOf<ChangeEntry>> ListHistory(Resource resource, const std::string& id,
                                                          const paging::Page& page) override {
    ASSIGN_OR_RETURN(int64_t after, page.first() ? 0 : ParseInt(page.after[0]));
    std::vector<ChangeEntry> rows;
    for (const ChangeEntry& e : state_.history[{resource, id}]) {
      if (e.version > after) rows.push_back(e);
    }
    return paging::CutPage(std::move(rows), page, [](const ChangeEntry& e) {
      return paging::PageKey{std::to_string(e.version)};
    });
  }

  absl::StatusOr<ReferenceRecord> GetReferenceRecord(const std::string& id) override {
    return Find(state_.references, id, "reference record");
  }
  absl::StatusOr<std::vector<ReferenceRecord>> FindReferenceRecords(
      ReferenceKind kind, const std::string& code) override {
    std::vector<ReferenceRecord> out;
    for (const auto& [id, r] : state_.references) {
      if (r.kind == kind && r.code == code) out.push_back(r);
    }
    return out;
  }
  absl::StatusOr<ListPage<ReferenceRecord>> ListReferenceRecords(const ReferenceFilter& f,
                                                                 const PageRequest& page) override {
    std::vector<ReferenceRecord> all;
    for (const auto& [id, r] : state_.references) {
      if (f.kind != ReferenceKind::kUnspecified && r.kind != f.kind) continue;
      if (!f.code.empty() && r.code != f.code) continue;
      if (f.valid_on && !Covers(r.valid_from, r.valid_to, *f.valid_on)) continue;
      all.push_back(r);
    }
    return Paged(std::move(all), page);
  }
  absl::StatusOr<ReferenceRecord> InsertReferenceRecord(const ReferenceRecord& r) override {
    ReferenceRecord out = r;
    out.id = NewId();
    state_.references[out.id] = out;
    return out;
  }
  absl::Status UpdateReferenceRecord(const ReferenceRecord& r, int64_t prev) override {
    return Replace(state_.references, r, prev);
  }

  absl::StatusOr<Participant> GetParticipant(const std::string& id) override {
    return Find(state_.participants, id, "participant");
  }
  absl::StatusOr<std::optional<Participant>> FindParticipantByBin(const std::string& bin) override {
    for (const auto& [id, p] : state_.participants) {
      if (p.bin == bin) return std::optional<Participant>(p);
    }
    return std::optional<Participant>();
  }
  absl::StatusOr<ListPage<Participant>> ListParticipants(const ParticipantFilter& f,
                                                         const PageRequest& page) override {
    std::vector<Participant> all;
    for (const auto& [id, p] : state_.participants) {
      if (!f.id.empty() && p.id != f.id) continue;
      if (f.status != ParticipantStatus::kUnspecified && p.status != f.status) continue;
      all.push_back(p);
    }
    std::sort(all.begin(), all.end(), [](const Participant& a, const Participant& b) {
      return std::tie(a.short_name, a.id) < std::tie(b.short_name, b.id);
    });
    return Paged(std::move(all), page);
  }
  absl::StatusOr<Participant> InsertParticipant(const Participant& p) override {
    Participant out = p;
    out.id = NewId();
    state_.participants[out.id] = out;
    return out;
  }
  absl::Status UpdateParticipant(const Participant& p, int64_t prev) override {
    return Replace(state_.participants, p, prev);
  }

  absl::StatusOr<Contract> GetContract(const std::string& id) override {
    return Find(state_.contracts, id, "contract");
  }
  absl::StatusOr<std::optional<Contract>> FindContractByNumber(const std::string& number) override {
    for (const auto& [id, c] : state_.contracts) {
      if (c.number == number) return std::optional<Contract>(c);
    }
    return std::optional<Contract>();
  }
  absl::StatusOr<std::vector<Contract>> ContractsInState(const std::string& participant_id,
                                                         ContractState state, int limit) override {
    ContractFilter f;
    f.participant_id = participant_id;
    f.state = state;
    PageRequest page;
    page.size = limit;
    absl::StatusOr<ListPage<Contract>> found = ListContracts(f, page);
    if (!found.ok()) return found.status();
    return found->items;
  }
  absl::StatusOr<ListPage<Contract>> ListContracts(const ContractFilter& f,
                                                   const PageRequest& page) override {
    std::vector<Contract> all;
    for (const auto& [id, c] : state_.contracts) {
      if (!f.participant_id.empty() && c.participant_id != f.participant_id) continue;
      if (f.state != ContractState::kUnspecified && c.state != f.state) continue;
      all.push_back(c);
    }
    return Paged(std::move(all), page);
  }
  absl::StatusOr<Contract> InsertContract(const Contract& c) override {
    Contract out = c;
    out.id = NewId();
    state_.contracts[out.id] = out;
    return out;
  }
  absl::Status UpdateContract(const Contract& c, int64_t prev) override {
    return Replace(state_.contracts, c, prev);
  }

  absl::StatusOr<Tariff> GetTariff(const std::string& id) override {
    return Find(state_.tariffs, id, "tariff");
  }
  absl::StatusOr<ListPage<Tariff>> ListTariffs(ServiceType service,
                                               const PageRequest& page) override {
    std::vector<Tariff> all;
    for (const auto& [id, t] : state_.tariffs) {
      if (service == ServiceType::kUnspecified || t.service_type == service) all.push_back(t);
    }
    return Paged(std::move(all), page);
  }
  absl::StatusOr<std::vector<Tariff>> TariffsOverlapping(
      ServiceType service, absl::CivilDay from, std::optional<absl::CivilDay> to) override {
    std::vector<Tariff> out;
    for (const auto& [id, t] : state_.tariffs) {
      if (t.service_type == service && Overlaps(t.valid_from, t.valid_to, from, to)) {
        out.push_back(t);
      }
    }
    std::sort(out.begin(), out.end(),
              [](const Tariff& a, const Tariff& b) { return a.valid_from < b.valid_from; });
    return out;
  }
  absl::StatusOr<Tariff> InsertTariff(const Tariff& t) override {
    Tariff out = t;
    out.id = NewId();
    state_.tariffs[out.id] = out;
    return out;
  }
  absl::Status UpdateTariff(const Tariff& t, int64_t prev) override {
    return Replace(state_.tariffs, t, prev);
  }

  absl::StatusOr<int64_t> NextApplicationNumber(int64_t year) override {
    return ++state_.numbers[year];
  }
  absl::StatusOr<Application> GetApplication(const std::string& id) override {
    return Find(state_.applications, id, "application");
  }
  absl::StatusOr<ListPage<Application>> ApplicationChanges(const ApplicationFilter&,
                                                           const PageRequest&) override {
    return absl::UnimplementedError("the change feed is tested against PostgreSQL");
  }
  absl::StatusOr<ListPage<Application>> ListApplications(const ApplicationFilter& f,
                                                         const PageRequest& page) override {
    std::vector<Application> all;
    for (const auto& [id, a] : state_.applications) {
      if (!f.participant_id.empty() && a.participant_id != f.participant_id) continue;
      if (f.state != ApplicationState::kUnspecified && a.state != f.state) continue;
      if (f.overdue_only &&
          !((a.state == ApplicationState::kSubmitted || a.state == ApplicationState::kInReview) &&
            a.due_time && *a.due_time < f.now)) {
        continue;
      }
      all.push_back(a);
    }
    return Paged(std::move(all), page);
  }
  absl::StatusOr<ApplicationCounts> CountApplications(const ApplicationCountFilter& f) override {
    ApplicationCounts out;
    for (const auto& [id, a] : state_.applications) {
      if (!a.submit_time || *a.submit_time < f.submitted.start ||
          *a.submit_time >= f.submitted.end) {
        continue;
      }
      if (!f.participant_id.empty() && a.participant_id != f.participant_id) continue;
      ++out.received;
      ++out.by_state[a.state];
      if (a.state == ApplicationState::kApproved || a.state == ApplicationState::kRejected ||
          (a.state == ApplicationState::kClosed && a.decide_time)) {
        ++out.processed;
      }
      if (a.state == ApplicationState::kClosed) ++out.closed;
      if ((a.state == ApplicationState::kSubmitted || a.state == ApplicationState::kInReview) &&
          a.due_time && *a.due_time < f.now) {
        ++out.overdue;
      }
    }
    return out;
  }
  absl::StatusOr<Application> InsertApplication(const Application& a) override {
    Application out = a;
    out.id = NewId();
    state_.applications[out.id] = out;
    return out;
  }
  absl::Status UpdateApplication(const Application& a, int64_t prev) override {
    return Replace(state_.applications, a, prev);
  }
  absl::StatusOr<ApplicationComment> InsertComment(const ApplicationComment& c) override {
    ApplicationComment out = c;
    out.id = NewId();
    state_.comments.push_back(out);
    return out;
  }
  absl::StatusOr<paging::PageOf<ApplicationComment>> ListComments(
      const std::string& application_id, const paging::Page& page) override {
    // Keyed by position among the application's comments (they are appended in order).
    ASSIGN_OR_RETURN(int64_t after, page.first() ? 0 : ParseInt(page.after[0]));
    std::vector<std::pair<ApplicationComment, int64_t>> rows;
    int64_t n = 0;
    for (const auto& c : state_.comments) {
      if (c.application_id == application_id && ++n > after) rows.emplace_back(c, n);
    }
    auto cut = paging::CutPage(std::move(rows), page, [](const auto& r) {
      return paging::PageKey{std::to_string(r.second)};
    });
    paging::PageOf<ApplicationComment> out;
    out.next = cut.next;
    for (auto& r : cut.items) out.items.push_back(r.first);
    return out;
  }

  static absl::StatusOr<int64_t> ParseInt(const std::string& text) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(text, &v)) return absl::InvalidArgumentError("page_token: malformed");
    return v;
  }

  size_t HistorySize(Resource resource, const std::string& id) {
    return state_.history[{resource, id}].size();
  }

 private:
  struct State {
    std::map<std::string, ReferenceRecord> references;
    std::map<std::string, Participant> participants;
    std::map<std::string, Contract> contracts;
    std::map<std::string, Tariff> tariffs;
    std::map<std::string, Application> applications;
    std::vector<ApplicationComment> comments;
    std::map<int64_t, int64_t> numbers;
    std::map<std::pair<Resource, std::string>, std::vector<ChangeEntry>> history;
    int64_t next_id = 0;
  };

  std::string NewId() { return absl::StrCat("id-", ++state_.next_id); }

  template <typename T>
  static absl::StatusOr<T> Find(const std::map<std::string, T>& m, const std::string& id,
                                const char* what) {
    auto it = m.find(id);
    if (it == m.end()) return NotFound(what, id);
    return it->second;
  }
  template <typename T>
  static absl::Status Replace(std::map<std::string, T>& m, const T& value, int64_t prev) {
    auto it = m.find(value.id);
    if (it == m.end()) return NotFound("row", value.id);
    if (it->second.version != prev) return absl::AbortedError("concurrent change");
    it->second = value;
    return absl::OkStatus();
  }
  template <typename T>
  static ListPage<T> Paged(std::vector<T> all, const PageRequest& page) {
    // By position: the fake's order is its own, the key is an offset.
    absl::StatusOr<ListPage<T>> out = paging::SlicePage(std::move(all), page);
    return out.ok() ? *std::move(out) : ListPage<T>{};
  }

  State state_;
  int depth_ = 0;
};

}  // namespace gridbill::contracts::testing
