#include "applications.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::contracts {
namespace {

using State = ApplicationState;

std::string Text(State s) { return std::string(Name(s)); }

std::string TimeText(const std::optional<absl::Time>& t) {
  return t ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *t, absl::UTCTimeZone()) : "";
}

bool IsDecision(State s) {
  return s == State::kInReview || s == State::kApproved || s == State::kRejected;
}

}  // namespace

absl::Status CheckApplicationTransition(State from, State to) {
  bool ok = (from == State::kDraft && (to == State::kSubmitted || to == State::kClosed)) ||
            (from == State::kSubmitted && to == State::kInReview) ||
            (from == State::kInReview && (to == State::kApproved || to == State::kRejected)) ||
            ((from == State::kApproved || from == State::kRejected) && to == State::kClosed);
  if (!ok) {
    return FailedPrecondition("target_state",
                              absl::StrCat("cannot move from ", Text(from), " to ", Text(to)));
  }
  return absl::OkStatus();
}

bool IsOverdue(const Application& a, absl::Time now) {
  return (a.state == State::kSubmitted || a.state == State::kInReview) && a.due_time &&
         now > *a.due_time;
}

absl::Time AddDays(absl::Time from, int days, absl::TimeZone zone) {
  absl::CivilSecond local = absl::ToCivilSecond(from, zone);
  absl::CivilDay day = absl::CivilDay(local) + days;
  return absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), local.hour(),
                                           local.minute(), local.second()),
                         zone);
}

FieldTexts FieldsOf(const Application& a) {
  std::vector<std::string> volumes;
  for (const auto& v : a.declared_volumes) {
    volumes.push_back(absl::StrCat(Name(v.service_type), "=", v.volume_wh));
  }
  return {
      {"number", a.number},
      {"participant_id", a.participant_id},
      {"type", std::string(Name(a.type))},
      {"state", a.state == State::kUnspecified ? "" : Text(a.state)},
      {"period", a.period ? a.period->ToString() : ""},
      {"contract_id", a.contract_id},
      {"declared_volumes", absl::StrJoin(volumes, ",")},
      {"subject", a.subject},
      {"body", a.body},
      {"resolution", a.resolution},
      {"submit_time", TimeText(a.submit_time)},
      {"due_time", TimeText(a.due_time)},
      {"decide_time", TimeText(a.decide_time)},
      {"close_time", TimeText(a.close_time)},
  };
}

absl::Status Applications::CheckParticipant(const std::string& participant_id) {
  if (participant_id.empty()) return InvalidField("application.participant_id", "required");
  absl::StatusOr<Participant> p = store_.GetParticipant(participant_id);
  if (absl::IsNotFound(p.status())) {
    return NotFoundField("application.participant_id",
                         absl::StrCat("participant ", participant_id, " not found"));
  }
  RETURN_IF_ERROR(p.status());
  if (p->status == ParticipantStatus::kTerminated) {
    return FailedPrecondition("application.participant_id",
                              absl::StrCat("participant ", p->short_name, " is TERMINATED"));
  }
  return absl::OkStatus();
}

absl::Status Applications::Validate(const Application& a) {
  if (a.type == ApplicationType::kUnspecified) {
    return InvalidField("application.type", "required");
  }
  RETURN_IF_ERROR(CheckText("application.subject", a.subject, false, 500));
  RETURN_IF_ERROR(CheckText("application.body", a.body, false, 20000));
  if (a.type == ApplicationType::kDeclaredVolumes) {
    if (!a.period) return InvalidField("application.period", "required for declared volumes");
    if (a.declared_volumes.empty()) {
      return InvalidField("application.declared_volumes", "at least one volume required");
    }
  } else if (!a.declared_volumes.empty()) {
    return InvalidField("application.declared_volumes",
                        "only a DECLARED_VOLUMES application declares volumes");
  }
  for (size_t i = 0; i < a.declared_volumes.size(); ++i) {
    const auto& v = a.declared_volumes[i];
    const std::string prefix = absl::StrCat("application.declared_volumes[", i, "]");
    if (v.service_type == ServiceType::kUnspecified) {
      return InvalidField(prefix + ".service_type", "required");
    }
    if (v.volume_wh < 0) return InvalidField(prefix + ".volume_wh", "negative");
    for (size_t j = 0; j < i; ++j) {
      if (a.declared_volumes[j].service_type == v.service_type) {
        return InvalidField(prefix + ".service_type",
                            absl::StrCat("duplicate service ", Name(v.service_type)));
      }
    }
  }
  if (a.type == ApplicationType::kContractAmendment && a.contract_id.empty()) {
    return InvalidField("application.contract_id", "required for a contract amendment");
  }
  if (!a.contract_id.empty()) {
    absl::StatusOr<Contract> c = store_.GetContract(a.contract_id);
    if (absl::IsNotFound(c.status())) {
      return InvalidField("application.contract_id",
                          absl::StrCat("no contract with id ", a.contract_id));
    }
    RETURN_IF_ERROR(c.status());
    if (c->participant_id != a.participant_id) {
      return InvalidField("application.contract_id",
                          absl::StrCat("contract No. ", c->number, " is with another participant"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Application> Applications::Create(const Application& input, const Caller& who) {
  Application a = input;
  if (who.scoped()) {
    if (a.participant_id.empty()) a.participant_id = who.participant_id;
    if (a.participant_id != who.participant_id) {
      return PermissionDeniedField("application.participant_id",
                                   "a participant-scoped caller may file only its own "
                                   "applications");
    }
  }
  a.id.clear();
  a.state = State::kDraft;
  a.submit_time = a.due_time = a.decide_time = a.close_time = std::nullopt;
  a.resolution.clear();
  Application out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    RETURN_IF_ERROR(CheckParticipant(a.participant_id));
    RETURN_IF_ERROR(Validate(a));
    const absl::Time now = clock_.Now();
    const int64_t year = absl::ToCivilYear(now, zone_).year();
    ASSIGN_OR_RETURN(int64_t n, store_.NextApplicationNumber(year));
    a.number = absl::StrFormat("APP-%04d-%06d", year, n);
    a.version = 1;
    a.create_time = a.update_time = now;
    ASSIGN_OR_RETURN(out, store_.InsertApplication(a));
    return store_.AppendHistory(Resource::kApplication, out.id,
                                HistoryEntry(who, 1, now, "create", "", Diff({}, FieldsOf(out))));
  }));
  return out;
}

absl::StatusOr<Application> Applications::Visible(const std::string& id, const Caller& who) {
  ASSIGN_OR_RETURN(Application a, store_.GetApplication(id));
  if (who.DeniedFor(a.participant_id)) {
    return PermissionDeniedField("id", "the application belongs to another participant");
  }
  a.overdue = IsOverdue(a, clock_.Now());
  return a;
}

absl::StatusOr<Application> Applications::Get(const std::string& id, const Caller& who) {
  return Visible(id, who);
}

absl::StatusOr<ApplicationFilter> Applications::Scoped(ApplicationFilter filter,
                                                       const Caller& who) const {
  if (who.scoped()) {
    if (!filter.participant_id.empty() && filter.participant_id != who.participant_id) {
      return PermissionDeniedField("participant_id",
                                   "a participant-scoped caller may list "
                                   "only its own applications");
    }
    filter.participant_id = who.participant_id;
  }
  filter.now = clock_.Now();
  return filter;
}

absl::StatusOr<ListPage<Application>> Applications::List(ApplicationFilter filter,
                                                         const PageRequest& page,
                                                         const Caller& who) {
  ASSIGN_OR_RETURN(filter, Scoped(std::move(filter), who));
  ASSIGN_OR_RETURN(ListPage<Application> out, store_.ListApplications(filter, page));
  for (auto& a : out.items) a.overdue = IsOverdue(a, filter.now);
  return out;
}

absl::StatusOr<ListPage<Application>> Applications::Changes(ApplicationFilter filter,
                                                            const PageRequest& page,
                                                            const Caller& who) {
  ASSIGN_OR_RETURN(filter, Scoped(std::move(filter), who));
  ASSIGN_OR_RETURN(ListPage<Application> out, store_.ApplicationChanges(filter, page));
  for (auto& a : out.items) a.overdue = IsOverdue(a, filter.now);
  return out;
}

absl::StatusOr<Application> Applications::Update(const Application& input, const Mask& mask,
                                                 int64_t expected_version, const Caller& who) {
  if (input.id.empty()) return InvalidField("application.id", "required");
  Application out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Application current, Visible(input.id, who));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    if (current.state != State::kDraft) {
      return FailedPrecondition(
          "application.state",
          absl::StrCat("only a DRAFT application can be changed; it is ", Text(current.state)));
    }
    Application next = current;
    if (Has(mask, "period")) next.period = input.period;
    if (Has(mask, "contract_id")) next.contract_id = input.contract_id;
    if (Has(mask, "declared_volumes")) next.declared_volumes = input.declared_volumes;
    if (Has(mask, "subject")) next.subject = input.subject;
    if (Has(mask, "body")) next.body = input.body;
    RETURN_IF_ERROR(Validate(next));
    std::vector<FieldChange> changes = Diff(FieldsOf(current), FieldsOf(next));
    if (changes.empty()) {
      out = current;
      return absl::OkStatus();
    }
    next.version = current.version + 1;
    next.update_time = clock_.Now();
    RETURN_IF_ERROR(store_.UpdateApplication(next, current.version));
    out = next;
    return store_.AppendHistory(
        Resource::kApplication, next.id,
        HistoryEntry(who, next.version, next.update_time, "update", "", std::move(changes)));
  }));
  return out;
}

absl::StatusOr<Application> Applications::Transition(const std::string& id, State target,
                                                     const std::string& resolution,
                                                     int64_t expected_version, const Caller& who,
                                                     std::optional<absl::Time> received) {
  if (target == State::kUnspecified) return InvalidField("target_state", "required");
  if (received) {
    if (who.scoped() || !MayDecide(who)) {
      return PermissionDeniedField("received_time",
                                   "registering an application received on paper is for the "
                                   "TSO's staff");
    }
    if (target != State::kSubmitted) {
      return InvalidField("received_time", "only on the move to SUBMITTED");
    }
    if (*received > clock_.Now()) return InvalidField("received_time", "is in the future");
    if (*received < absl::FromCivil(absl::CivilDay(2000, 1, 1), zone_)) {
      return InvalidField("received_time", "is before 2000-01-01");
    }
  }
  if ((who.scoped() || !MayDecide(who)) && IsDecision(target)) {
    return PermissionDeniedField(
        "target_state",
        absl::StrCat("moving an application to ", Text(target), " is for the TSO's staff"));
  }
  RETURN_IF_ERROR(CheckText("resolution", resolution, false, kMaxCommentChars));
  Application out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Application current, Visible(id, who));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    if (who.scoped() && target == State::kClosed && current.state != State::kDraft) {
      return PermissionDeniedField("target_state",
                                   "a participant may withdraw only a DRAFT; closing a decided "
                                   "application is for the TSO's staff");
    }
    RETURN_IF_ERROR(CheckApplicationTransition(current.state, target));
    const absl::Time now = clock_.Now();
    Application next = current;
    next.state = target;
    switch (target) {
      case State::kSubmitted:
        RETURN_IF_ERROR(CheckParticipant(current.participant_id));
        RETURN_IF_ERROR(Validate(current));
        next.submit_time = received.value_or(now);
        next.due_time = AddDays(*next.submit_time, deadlines_.DaysFor(current.type), zone_);
        break;
      case State::kApproved:
      case State::kRejected:
        if (Blank(resolution)) {
          return InvalidField("resolution",
                              absl::StrCat("required to move an application to ", Text(target)));
        }
        next.resolution = resolution;
        next.decide_time = now;
        break;
      case State::kClosed:
        next.close_time = now;
        break;
      default:
        break;
    }
    next.version = current.version + 1;
    next.update_time = now;
    next.overdue = IsOverdue(next, now);
    RETURN_IF_ERROR(store_.UpdateApplication(next, current.version));
    out = next;
    return store_.AppendHistory(Resource::kApplication, next.id,
                                HistoryEntry(who, next.version, now, "transition", resolution,
                                             Diff(FieldsOf(current), FieldsOf(next))));
  }));
  return out;
}

absl::StatusOr<ApplicationComment> Applications::AddComment(const std::string& application_id,
                                                            const std::string& text,
                                                            const Caller& who) {
  RETURN_IF_ERROR(CheckText("text", text, true, kMaxCommentChars));
  ApplicationComment out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Application a, Visible(application_id, who));
    if (a.state == State::kClosed) {
      return FailedPrecondition("application_id", "the application is CLOSED");
    }
    ApplicationComment c{.id = "",
                         .application_id = a.id,
                         .author = who.Actor(),
                         .text = text,
                         .create_time = clock_.Now()};
    ASSIGN_OR_RETURN(out, store_.InsertComment(c));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<paging::PageOf<ApplicationComment>> Applications::ListComments(
    const std::string& application_id, const paging::Page& page, const Caller& who) {
  RETURN_IF_ERROR(Visible(application_id, who).status());
  return store_.ListComments(application_id, page);
}

absl::StatusOr<ApplicationCounts> Applications::Count(const BillingPeriod& period,
                                                      std::string participant_id,
                                                      ApplicationType type, const Caller& who) {
  if (who.scoped()) {
    if (!participant_id.empty() && participant_id != who.participant_id) {
      return PermissionDeniedField("participant_id",
                                   "a participant-scoped caller may count "
                                   "only its own applications");
    }
    participant_id = who.participant_id;
  }
  ApplicationCountFilter filter{.submitted = period.Bounds(zone_),
                                .participant_id = std::move(participant_id),
                                .type = type,
                                .now = clock_.Now()};
  return store_.CountApplications(filter);
}

absl::StatusOr<int64_t> Applications::Overdue() {
  const absl::Time now = clock_.Now();
  // Every submission time there can be (received times are in the past).
  ApplicationCountFilter filter{.submitted = {absl::UnixEpoch(), now + absl::Hours(24)},
                                .now = now};
  ASSIGN_OR_RETURN(ApplicationCounts counts, store_.CountApplications(filter));
  return counts.overdue;
}

absl::StatusOr<paging::PageOf<ChangeEntry>> Applications::History(const std::string& id,
                                                                  const paging::Page& page,
                                                                  const Caller& who) {
  RETURN_IF_ERROR(Visible(id, who).status());
  return store_.ListHistory(Resource::kApplication, id, page);
}

}  // namespace gridbill::contracts
