#include "problems.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "esf.h"
#include "gridbill/base/status_macros.h"
#include "itsm.h"

namespace gridbill::integrations {
namespace {

constexpr int kFailed = 4;
constexpr int kPending = 1;
constexpr int kRunning = 2;
constexpr int kListed = 20;  // numbers named in one description

std::string FirstOf(const std::vector<std::string>& names) {
  std::vector<std::string> head(names.begin(),
                                names.begin() + std::min<size_t>(names.size(), kListed));
  std::string out = absl::StrJoin(head, ", ");
  if (names.size() > head.size())
    absl::StrAppend(&out, " and ", names.size() - head.size(), " more");
  return out;
}

// Every "itsm" delivery of `id`'s prefix, oldest first (with payloads not needed).
absl::StatusOr<std::vector<Delivery>> IncidentFacts(Store& store, const std::string& prefix) {
  std::vector<Delivery> out;
  DeliveryFilter filter;
  filter.adapter = "itsm";
  paging::Page page;
  page.size = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(paging::PageOf<Delivery> rows, store.List(filter, page));
    for (Delivery& d : rows.items) {
      if (absl::StartsWith(d.fact_id, prefix)) out.push_back(std::move(d));
    }
    if (rows.next.empty()) return out;
    page.after = rows.next;
  }
}

}  // namespace

std::vector<Problem> ProblemWatch::RunProblems(const std::vector<RunFact>& runs) {
  const absl::Time now = clock_.Now();
  std::vector<Problem> out;
  std::set<std::string> groups;
  absl::MutexLock lock(&mu_);
  std::map<std::string, std::pair<int64_t, absl::Time>> progress;
  for (const RunFact& r : runs) {  // newest first: the first of a group is its latest run
    if (r.state == kPending || r.state == kRunning) {
      auto it = progress_.find(r.id);
      progress[r.id] = it != progress_.end() && it->second.first == r.done
                           ? it->second
                           : std::make_pair(r.done, now);
    }
    const std::string group = absl::StrCat("run/", r.service, "/", r.period, "/", r.type);
    if (!groups.insert(group).second) continue;
    const std::string what = absl::StrCat(r.service == "balance" ? "balance" : "invoice", " run ",
                                          r.id, " (", r.period, ", ", r.type, ")");
    if (r.state == kFailed) {
      out.push_back(
          {group, absl::StrCat("failed-", r.id),
           absl::StrCat("Gridbill: the ", r.period, " ", r.type, " ",
                        r.service == "balance" ? "balance" : "invoice", " run failed"),
           absl::StrCat("The ", what, " failed: ", r.error.empty() ? "no reason given" : r.error,
                        ". Start it again once the cause is fixed.")});
    } else if ((r.state == kPending || r.state == kRunning) &&
               now - progress[r.id].second >= options_.stuck_after) {
      out.push_back({group, absl::StrCat("stuck-", r.id),
                     absl::StrCat("Gridbill: the ", r.period, " ", r.type, " ",
                                  r.service == "balance" ? "balance" : "invoice", " run is stuck"),
                     absl::StrCat("The ", what, " has not progressed for ",
                                  absl::FormatDuration(now - progress[r.id].second), " (", r.done,
                                  " of ", r.total, " pieces done, ",
                                  r.state == kPending ? "never started" : "running", ").")});
    }
  }
  progress_ = std::move(progress);
  return out;
}

std::vector<Problem> ProblemWatch::ApplicationProblems(
    const std::vector<ApplicationFact>& overdue) {
  if (overdue.empty()) return {};
  std::vector<std::string> ids, names;
  for (const ApplicationFact& a : overdue) {
    ids.push_back(a.id);
    names.push_back(absl::StrCat(a.number, " (due ", a.due, ")"));
  }
  std::sort(ids.begin(), ids.end());
  // The set of applications is the version: another one overdue, or one
  // answered, updates the incident.
  std::string version = absl::StrCat(overdue.size(), "-", ids.front(), "-", ids.back());
  size_t h = std::hash<std::string>()(absl::StrJoin(ids, ","));
  absl::StrAppend(&version, "-", h % 1000000007);
  return {{"applications/overdue", version,
           absl::StrCat("Gridbill: ", overdue.size(), " application",
                        overdue.size() == 1 ? " is" : "s are", " past the answer deadline"),
           absl::StrCat("Overdue: ", FirstOf(names), ".")}};
}

std::vector<Problem> ProblemWatch::EsfProblems(const std::vector<Delivery>& esf) {
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), options_.zone);
  std::map<std::string, std::vector<EsfRisk>> by_period;
  for (EsfRisk& r : EsfAtRisk(esf, today, options_.esf_within_days)) {
    by_period[absl::FormatCivilTime(r.period)].push_back(std::move(r));
  }
  std::vector<Problem> out;
  for (const auto& [period, risks] : by_period) {
    std::vector<std::string> names;
    for (const EsfRisk& r : risks) {
      names.push_back(absl::StrCat(r.document_number,
                                   r.delivery.state == DeliveryState::kDead
                                       ? absl::StrCat(" (failed: ", r.delivery.last_error, ")")
                                       : ""));
    }
    const int days = risks.front().days_left;
    out.push_back(
        {absl::StrCat("esf-deadline/", period), absl::StrCat(risks.size(), "-", days),
         absl::StrCat("Gridbill: ", risks.size(), " ESF of ", period, " not registered, deadline ",
                      absl::FormatCivilTime(risks.front().deadline)),
         absl::StrCat(days < 0 ? absl::StrCat("The deadline passed ", -days, " days ago")
                               : absl::StrCat(days, " days to the deadline"),
                      ". Not registered: ", FirstOf(names), ".")});
  }
  return out;
}

absl::StatusOr<int> ProblemWatch::Reconcile(const std::string& prefix,
                                            const std::vector<Problem>& now) {
  ASSIGN_OR_RETURN(std::vector<Delivery> facts, IncidentFacts(store_, prefix));
  // Per problem id: the open version (if its last fact opens), and how many
  // times it was resolved (a problem back after a resolution is a new
  // episode: its facts need keys of their own).
  struct Known {
    std::string open_version;
    int resolved = 0;
  };
  std::map<std::string, Known> known;
  for (const Delivery& d : facts) {
    Known& k = known[d.fact_id];
    if (d.fact_kind == kIncidentOpen) {
      k.open_version = d.fact_version;
    } else if (d.fact_kind == kIncidentResolve) {
      k.open_version.clear();
      ++k.resolved;
    }
  }
  std::vector<Fact> out;
  std::set<std::string> current;
  for (const Problem& p : now) {
    current.insert(p.id);
    const Known& k = known[p.id];
    const std::string version =
        k.resolved == 0 ? p.version : absl::StrCat(p.version, "~", k.resolved);
    if (k.open_version == version) continue;
    out.push_back(IncidentOpen(p.id, version, p.short_description, p.description));
  }
  for (const auto& [id, k] : known) {
    if (k.open_version.empty() || current.count(id) > 0) continue;
    out.push_back(IncidentResolve(id, absl::StrCat(k.resolved + 1), "the problem cleared"));
  }
  if (out.empty()) return 0;
  return store_.AppendFacts(kProblemsFeed, "", out, clock_.Now());
}

absl::StatusOr<int> ProblemWatch::Check() {
  int added = 0;
  absl::Status first_error;
  auto note = [&](const absl::Status& s) {
    if (first_error.ok()) first_error = s;
  };
  {
    std::vector<RunFact> runs;
    bool read = true;
    for (const char* service : {"balance", "invoicing"}) {
      absl::StatusOr<std::vector<RunFact>> r = suite_.RecentRuns(service, 100);
      if (!r.ok()) {
        if (!absl::IsUnimplemented(r.status())) note(r.status());
        read = read && absl::IsUnimplemented(r.status());
        continue;
      }
      runs.insert(runs.end(), r->begin(), r->end());
    }
    if (read) {
      ASSIGN_OR_RETURN(int n, Reconcile("run/", RunProblems(runs)));
      added += n;
    }
  }
  if (absl::StatusOr<std::vector<ApplicationFact>> apps = suite_.OverdueApplications(1000);
      apps.ok()) {
    ASSIGN_OR_RETURN(int n, Reconcile("applications/", ApplicationProblems(*apps)));
    added += n;
  } else if (!absl::IsUnimplemented(apps.status())) {
    note(apps.status());
  }
  {
    std::vector<Delivery> open;
    for (DeliveryState state : {DeliveryState::kPending, DeliveryState::kDead}) {
      DeliveryFilter filter;
      filter.adapter = "esf";
      filter.state = state;
      paging::Page page;
      page.size = 1000;
      for (;;) {
        ASSIGN_OR_RETURN(paging::PageOf<Delivery> rows, store_.List(filter, page));
        for (const Delivery& d : rows.items) {
          ASSIGN_OR_RETURN(Delivery full, store_.Get(d.id));  // with its payload
          open.push_back(std::move(full));
        }
        if (rows.next.empty()) break;
        page.after = rows.next;
      }
    }
    ASSIGN_OR_RETURN(int n, Reconcile("esf-deadline/", EsfProblems(open)));
    added += n;
  }
  if (!first_error.ok()) return first_error;
  return added;
}

}  // namespace gridbill::integrations
