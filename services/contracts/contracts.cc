#include "contracts.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::contracts {
namespace {

constexpr int kMaxNumberChars = 64;

std::string Text(ContractState s) { return std::string(Name(s)); }

}  // namespace

absl::Status CheckContractTransition(ContractState from, ContractState to) {
  using S = ContractState;
  bool ok = (from == S::kDraft && (to == S::kActive || to == S::kTerminated)) ||
            (from == S::kActive && (to == S::kSuspended || to == S::kTerminated)) ||
            (from == S::kSuspended && (to == S::kActive || to == S::kTerminated));
  if (!ok) {
    return FailedPrecondition("target_state",
                              absl::StrCat("cannot move from ", Text(from), " to ", Text(to)));
  }
  return absl::OkStatus();
}

FieldTexts FieldsOf(const Contract& c) {
  return {
      {"number", c.number},
      {"participant_id", c.participant_id},
      {"service_type", std::string(Name(c.service_type))},
      {"signed_on", DateText(c.signed_on)},
      {"valid_from", DateText(c.valid_from)},
      {"valid_to", DateText(c.valid_to)},
      {"state", c.state == ContractState::kUnspecified ? "" : Text(c.state)},
      {"payment_terms.due_day", absl::StrCat(c.payment_terms.due_day)},
      {"payment_terms.prepayment_share", c.payment_terms.prepayment_share.ToString()},
      {"metering_point_codes", absl::StrJoin(c.metering_point_codes, ",")},
      {"accounting_scheme_id", c.accounting_scheme_id},
  };
}

absl::Status Contracts::CheckParticipant(const std::string& participant_id) {
  if (participant_id.empty()) return InvalidField("contract.participant_id", "required");
  absl::StatusOr<Participant> p = store_.GetParticipant(participant_id);
  if (absl::IsNotFound(p.status())) {
    return NotFoundField("contract.participant_id",
                         absl::StrCat("participant ", participant_id, " not found"));
  }
  RETURN_IF_ERROR(p.status());
  if (p->status == ParticipantStatus::kTerminated) {
    return FailedPrecondition("contract.participant_id",
                              absl::StrCat("participant ", p->short_name,
                                           " is TERMINATED and cannot have new contracts"));
  }
  return absl::OkStatus();
}

absl::Status Contracts::Validate(const Contract& c) {
  RETURN_IF_ERROR(CheckText("contract.number", c.number, true, kMaxNumberChars));
  if (c.service_type == ServiceType::kUnspecified) {
    return InvalidField("contract.service_type", "required");
  }
  RETURN_IF_ERROR(CheckValidity("contract", c.valid_from, c.valid_to));
  if (c.signed_on && c.valid_to && *c.signed_on > *c.valid_to) {
    return InvalidField(
        "contract.signed_on",
        absl::StrCat("after valid_to (", DateText(c.signed_on), " > ", DateText(c.valid_to), ")"));
  }
  if (c.payment_terms.due_day < 1 || c.payment_terms.due_day > 31) {
    return InvalidField("contract.payment_terms.due_day", "must be between 1 and 31");
  }
  if (c.payment_terms.prepayment_share < Decimal::FromInt(0) ||
      c.payment_terms.prepayment_share > Decimal::FromInt(1)) {
    return InvalidField("contract.payment_terms.prepayment_share", "must be between 0 and 1");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < c.metering_point_codes.size(); ++i) {
    const std::string field = absl::StrCat("contract.metering_point_codes[", i, "]");
    RETURN_IF_ERROR(CheckText(field, c.metering_point_codes[i], true, 64));
    if (!seen.insert(c.metering_point_codes[i]).second) {
      return InvalidField(field, absl::StrCat("duplicate code ", c.metering_point_codes[i]));
    }
  }
  return CheckText("contract.accounting_scheme_id", c.accounting_scheme_id, false, 64);
}

absl::StatusOr<Contract> Contracts::Create(const Contract& input, const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "create contracts"));
  Contract c = input;
  c.id.clear();
  c.state = ContractState::kDraft;
  c.amendment_count = 0;
  if (c.payment_terms.due_day == 0) c.payment_terms.due_day = kDefaultDueDay;
  Contract out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    RETURN_IF_ERROR(Validate(c));
    RETURN_IF_ERROR(CheckParticipant(c.participant_id));
    ASSIGN_OR_RETURN(std::optional<Contract> same, store_.FindContractByNumber(c.number));
    if (same) {
      return AlreadyExistsField(
          "contract.number",
          absl::StrCat("contract No. ", c.number, " already exists (id ", same->id, ")"));
    }
    c.version = 1;
    c.create_time = c.update_time = clock_.Now();
    ASSIGN_OR_RETURN(out, store_.InsertContract(c));
    return store_.AppendHistory(
        Resource::kContract, out.id,
        HistoryEntry(who, 1, c.create_time, "create", "", Diff({}, FieldsOf(out))));
  }));
  return out;
}

absl::StatusOr<Contract> Contracts::Get(const std::string& id, const Caller& who) {
  ASSIGN_OR_RETURN(Contract c, store_.GetContract(id));
  if (who.DeniedFor(c.participant_id)) {
    return PermissionDeniedField("id", "the contract belongs to another participant");
  }
  return c;
}

absl::StatusOr<ListPage<Contract>> Contracts::List(ContractFilter filter, const PageRequest& page,
                                                   const Caller& who) {
  if (who.scoped()) {
    if (!filter.participant_id.empty() && filter.participant_id != who.participant_id) {
      return PermissionDeniedField("participant_id",
                                   "a participant-scoped caller may list only its own contracts");
    }
    filter.participant_id = who.participant_id;
  }
  return store_.ListContracts(filter, page);
}

absl::StatusOr<Contract> Contracts::Update(const Contract& input, const Mask& mask,
                                           int64_t expected_version, const AmendmentInfo& amendment,
                                           const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change contracts"));
  if (input.id.empty()) return InvalidField("contract.id", "required");
  RETURN_IF_ERROR(CheckText("reason", amendment.reason, false, 2000));
  RETURN_IF_ERROR(CheckText("amendment_number", amendment.amendment_number, false, 64));
  Contract out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Contract current, store_.GetContract(input.id));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    if (current.state == ContractState::kTerminated) {
      return FailedPrecondition("contract.state", "the contract is TERMINATED and cannot change");
    }
    const bool draft = current.state == ContractState::kDraft;
    Contract next = current;
    if (Has(mask, "number")) next.number = input.number;
    if (Has(mask, "participant_id")) next.participant_id = input.participant_id;
    if (Has(mask, "service_type")) next.service_type = input.service_type;
    if (Has(mask, "signed_on")) next.signed_on = input.signed_on;
    if (Has(mask, "valid_from")) next.valid_from = input.valid_from;
    if (Has(mask, "valid_to")) next.valid_to = input.valid_to;
    if (Has(mask, "payment_terms") || Has(mask, "payment_terms.due_day")) {
      next.payment_terms.due_day =
          input.payment_terms.due_day == 0 ? kDefaultDueDay : input.payment_terms.due_day;
    }
    if (Has(mask, "payment_terms") || Has(mask, "payment_terms.prepayment_share")) {
      next.payment_terms.prepayment_share = input.payment_terms.prepayment_share;
    }
    if (Has(mask, "metering_point_codes")) next.metering_point_codes = input.metering_point_codes;
    if (Has(mask, "accounting_scheme_id")) next.accounting_scheme_id = input.accounting_scheme_id;

    if (!draft) {
      // The identity of a contract in force does not change; a new one is concluded.
      if (next.number != current.number) {
        return FailedPrecondition("contract.number", "cannot change after activation");
      }
      if (next.participant_id != current.participant_id) {
        return FailedPrecondition("contract.participant_id", "cannot change after activation");
      }
      if (next.service_type != current.service_type) {
        return FailedPrecondition("contract.service_type", "cannot change after activation");
      }
    }
    RETURN_IF_ERROR(Validate(next));
    if (next.participant_id != current.participant_id) {
      RETURN_IF_ERROR(CheckParticipant(next.participant_id));
    }
    if (next.number != current.number) {
      ASSIGN_OR_RETURN(std::optional<Contract> same, store_.FindContractByNumber(next.number));
      if (same && same->id != next.id) {
        return AlreadyExistsField("contract.number",
                                  absl::StrCat("contract No. ", next.number, " already exists"));
      }
    }
    std::vector<FieldChange> changes = Diff(FieldsOf(current), FieldsOf(next));
    if (changes.empty()) {
      out = current;
      return absl::OkStatus();
    }
    std::string action = "update";
    if (!draft) {
      if (Blank(amendment.reason)) {
        return InvalidField("reason",
                            "required for an amendment of an ACTIVE or SUSPENDED "
                            "contract");
      }
      if (Blank(amendment.amendment_number)) {
        return InvalidField("amendment_number",
                            "required for an amendment of an ACTIVE or SUSPENDED contract");
      }
      absl::CivilDay effective =
          amendment.effective_date.value_or(absl::ToCivilDay(clock_.Now(), zone_));
      next.amendment_count = current.amendment_count + 1;
      changes.push_back({"amendment_count", absl::StrCat(current.amendment_count),
                         absl::StrCat(next.amendment_count)});
      changes.push_back({"amendment_number", "", amendment.amendment_number});
      changes.push_back({"effective_date", "", FormatDate(effective)});
      action = "amend";
    }
    next.version = current.version + 1;
    next.update_time = clock_.Now();
    RETURN_IF_ERROR(store_.UpdateContract(next, current.version));
    out = next;
    return store_.AppendHistory(Resource::kContract, next.id,
                                HistoryEntry(who, next.version, next.update_time, action,
                                             amendment.reason, std::move(changes)));
  }));
  return out;
}

absl::StatusOr<Contract> Contracts::Transition(const std::string& id, ContractState target,
                                               const std::string& reason, int64_t expected_version,
                                               const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change contracts"));
  if (target == ContractState::kUnspecified) return InvalidField("target_state", "required");
  RETURN_IF_ERROR(CheckText("reason", reason, false, 2000));
  Contract out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Contract current, store_.GetContract(id));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    RETURN_IF_ERROR(CheckContractTransition(current.state, target));
    if ((target == ContractState::kSuspended || target == ContractState::kTerminated) &&
        Blank(reason)) {
      return InvalidField("reason", absl::StrCat("required to move a contract to ", Text(target)));
    }
    if (target == ContractState::kActive) {
      ASSIGN_OR_RETURN(Participant p, store_.GetParticipant(current.participant_id));
      if (p.status != ParticipantStatus::kActive) {
        return FailedPrecondition("target_state",
                                  absl::StrCat("participant ", p.short_name, " is ", Name(p.status),
                                               "; only an ACTIVE participant's contract can be "
                                               "activated"));
      }
    }
    Contract next = current;
    next.state = target;
    next.version = current.version + 1;
    next.update_time = clock_.Now();
    RETURN_IF_ERROR(store_.UpdateContract(next, current.version));
    out = next;
    return store_.AppendHistory(Resource::kContract, next.id,
                                HistoryEntry(who, next.version, next.update_time, "transition",
                                             reason, Diff(FieldsOf(current), FieldsOf(next))));
  }));
  return out;
}

absl::StatusOr<paging::PageOf<ChangeEntry>> Contracts::History(const std::string& id,
                                                               const paging::Page& page,
                                                               const Caller& who) {
  RETURN_IF_ERROR(Get(id, who).status());
  return store_.ListHistory(Resource::kContract, id, page);
}

}  // namespace gridbill::contracts
