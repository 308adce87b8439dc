#include "participants.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/identifiers.h"

namespace gridbill::contracts {
namespace {

constexpr int kMaxNameChars = 500;
constexpr int kMaxAddressChars = 1000;
constexpr int kMaxContacts = 50;

bool AllOf(const std::string& s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(), [pred](unsigned char c) { return pred(c) != 0; });
}

int IsUpperAlnum(int c) { return std::isdigit(c) || (c >= 'A' && c <= 'Z'); }

absl::Status ValidateBankAccount(const BankAccount& b) {
  if (b.iik.size() != 20 || b.iik.rfind("KZ", 0) != 0 || !AllOf(b.iik, IsUpperAlnum)) {
    return InvalidField("participant.bank_account.iik",
                        "must be 20 characters A-Z or 0-9 starting with KZ");
  }
  if (b.bik.size() != 8 || !AllOf(b.bik, IsUpperAlnum)) {
    return InvalidField("participant.bank_account.bik", "must be 8 characters A-Z or 0-9");
  }
  if (b.kbe.size() != 2 || !AllOf(b.kbe, isdigit)) {
    return InvalidField("participant.bank_account.kbe", "must be 2 digits");
  }
  return CheckText("participant.bank_account.bank_name", b.bank_name, false, kMaxNameChars);
}

absl::Status ValidateContact(const Contact& c, size_t i) {
  const std::string prefix = absl::StrCat("participant.contacts[", i, "]");
  RETURN_IF_ERROR(CheckText(prefix + ".name", c.name, true, kMaxNameChars));
  RETURN_IF_ERROR(CheckText(prefix + ".position", c.position, false, kMaxNameChars));
  RETURN_IF_ERROR(CheckText(prefix + ".phone", c.phone, false, 50));
  if (!c.email.empty()) {
    size_t at = c.email.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == c.email.size() ||
        c.email.find('@', at + 1) != std::string::npos || c.email.find(' ') != std::string::npos) {
      return InvalidField(prefix + ".email", "not an e-mail address (name@domain)");
    }
  }
  return absl::OkStatus();
}

std::string RolesText(const std::vector<ParticipantRole>& roles) {
  std::vector<std::string> names;
  for (auto r : roles) names.emplace_back(Name(r));
  return absl::StrJoin(names, ",");
}

}  // namespace

absl::Status CheckStatusChange(ParticipantStatus from, ParticipantStatus to) {
  using S = ParticipantStatus;
  bool ok = (from == S::kActive && to == S::kSuspended) ||
            (from == S::kSuspended && to == S::kActive) ||
            ((from == S::kActive || from == S::kSuspended) && to == S::kTerminated);
  if (!ok) {
    return FailedPrecondition("participant.status",
                              absl::StrCat("cannot move from ", Name(from), " to ", Name(to)));
  }
  return absl::OkStatus();
}

FieldTexts FieldsOf(const Participant& p) {
  FieldTexts f = {
      {"bin", p.bin},
      {"eic", p.eic},
      {"legal_name", p.legal_name},
      {"short_name", p.short_name},
      {"legal_address", p.legal_address},
      {"postal_address", p.postal_address},
      {"region_code", p.region_code},
      {"bank_account.iik", p.bank_account ? p.bank_account->iik : ""},
      {"bank_account.bik", p.bank_account ? p.bank_account->bik : ""},
      {"bank_account.bank_name", p.bank_account ? p.bank_account->bank_name : ""},
      {"bank_account.kbe", p.bank_account ? p.bank_account->kbe : ""},
      {"roles", RolesText(p.roles)},
      {"status", p.status == ParticipantStatus::kUnspecified ? "" : std::string(Name(p.status))},
      {"vat_certificate", p.vat_certificate},
  };
  std::vector<std::string> contacts;
  for (const auto& c : p.contacts) {
    contacts.push_back(absl::StrJoin({c.name, c.position, c.phone, c.email}, " / "));
  }
  f.emplace_back("contacts", absl::StrJoin(contacts, "; "));
  return f;
}

absl::Status Participants::Validate(const Participant& p) {
  RETURN_IF_ERROR(ValidateBin(p.bin, "participant.bin"));
  if (!p.eic.empty()) RETURN_IF_ERROR(ValidateEic(p.eic, "participant.eic"));
  RETURN_IF_ERROR(CheckText("participant.legal_name", p.legal_name, true, kMaxNameChars));
  RETURN_IF_ERROR(CheckText("participant.short_name", p.short_name, true, kMaxNameChars));
  RETURN_IF_ERROR(CheckText("participant.legal_address", p.legal_address, false, kMaxAddressChars));
  RETURN_IF_ERROR(
      CheckText("participant.postal_address", p.postal_address, false, kMaxAddressChars));
  RETURN_IF_ERROR(CheckText("participant.vat_certificate", p.vat_certificate, false, 100));
  if (p.roles.empty()) return InvalidField("participant.roles", "at least one role required");
  for (size_t i = 0; i < p.roles.size(); ++i) {
    const std::string field = absl::StrCat("participant.roles[", i, "]");
    if (p.roles[i] == ParticipantRole::kUnspecified) {
      return InvalidField(field, "PARTICIPANT_ROLE_UNSPECIFIED is not a role");
    }
    if (std::find(p.roles.begin(), p.roles.begin() + i, p.roles[i]) != p.roles.begin() + i) {
      return InvalidField(field, absl::StrCat("duplicate role ", Name(p.roles[i])));
    }
  }
  if (p.bank_account) RETURN_IF_ERROR(ValidateBankAccount(*p.bank_account));
  if (p.contacts.size() > kMaxContacts) {
    return InvalidField("participant.contacts", absl::StrCat("more than ", kMaxContacts));
  }
  for (size_t i = 0; i < p.contacts.size(); ++i) {
    RETURN_IF_ERROR(ValidateContact(p.contacts[i], i));
  }
  if (!p.region_code.empty()) {
    ASSIGN_OR_RETURN(std::vector<ReferenceRecord> regions,
                     store_.FindReferenceRecords(ReferenceKind::kRegion, p.region_code));
    if (regions.empty()) {
      return InvalidField("participant.region_code",
                          absl::StrCat("no REGION with code \"", p.region_code, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Participant> Participants::Create(const Participant& input, const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "register participants"));
  Participant p = input;
  p.id.clear();
  if (p.status == ParticipantStatus::kUnspecified) p.status = ParticipantStatus::kActive;
  if (p.status == ParticipantStatus::kTerminated) {
    return InvalidField("participant.status", "a new participant cannot be TERMINATED");
  }
  Participant out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    RETURN_IF_ERROR(Validate(p));
    ASSIGN_OR_RETURN(std::optional<Participant> same_bin, store_.FindParticipantByBin(p.bin));
    if (same_bin) {
      return AlreadyExistsField(
          "participant.bin",
          absl::StrCat("a participant with BIN ", p.bin, " is already registered (",
                       same_bin->short_name, ", id ", same_bin->id, ")"));
    }
    p.version = 1;
    p.create_time = p.update_time = clock_.Now();
    ASSIGN_OR_RETURN(out, store_.InsertParticipant(p));
    return store_.AppendHistory(
        Resource::kParticipant, out.id,
        HistoryEntry(who, 1, p.create_time, "create", "", Diff({}, FieldsOf(out))));
  }));
  return out;
}

absl::StatusOr<Participant> Participants::Get(const std::string& id, const Caller& who) {
  if (who.DeniedFor(id)) {
    return PermissionDeniedField("id",
                                 "a participant-scoped caller may read only its own "
                                 "participant");
  }
  return store_.GetParticipant(id);
}

absl::StatusOr<ListPage<Participant>> Participants::List(ParticipantFilter filter,
                                                         const PageRequest& page,
                                                         const Caller& who) {
  if (who.scoped()) filter.id = who.participant_id;
  return store_.ListParticipants(filter, page);
}

absl::Status Participants::CheckNoContractsInForce(const std::string& participant_id) {
  std::vector<std::string> numbers;
  int64_t count = 0;
  for (ContractState state : {ContractState::kActive, ContractState::kSuspended}) {
    ASSIGN_OR_RETURN(std::vector<Contract> found,
                     store_.ContractsInState(participant_id, state, 5));
    count += static_cast<int64_t>(found.size());
    for (const Contract& c : found) numbers.push_back(c.number);
  }
  if (numbers.empty()) return absl::OkStatus();
  return FailedPrecondition("participant.status",
                            absl::StrCat("the participant has contracts in force (",
                                         absl::StrJoin(numbers, ", "), count >= 10 ? ", ..." : "",
                                         "): terminate them before terminating the participant"));
}

absl::StatusOr<Participant> Participants::Update(const Participant& input, const Mask& mask,
                                                 int64_t expected_version,
                                                 const std::string& reason, const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change participants"));
  if (input.id.empty()) return InvalidField("participant.id", "required");
  RETURN_IF_ERROR(CheckText("reason", reason, false, 2000));
  Participant out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Participant current, store_.GetParticipant(input.id));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    if (current.status == ParticipantStatus::kTerminated) {
      return FailedPrecondition("participant.status",
                                "the participant is TERMINATED and can no longer change");
    }
    Participant next = current;
    if (Has(mask, "eic")) next.eic = input.eic;
    if (Has(mask, "legal_name")) next.legal_name = input.legal_name;
    if (Has(mask, "short_name")) next.short_name = input.short_name;
    if (Has(mask, "legal_address")) next.legal_address = input.legal_address;
    if (Has(mask, "postal_address")) next.postal_address = input.postal_address;
    if (Has(mask, "region_code")) next.region_code = input.region_code;
    if (Has(mask, "bank_account")) next.bank_account = input.bank_account;
    if (Has(mask, "contacts")) next.contacts = input.contacts;
    if (Has(mask, "roles")) next.roles = input.roles;
    if (Has(mask, "vat_certificate")) next.vat_certificate = input.vat_certificate;
    std::string action = "update";
    if (Has(mask, "status") && input.status != current.status) {
      if (input.status == ParticipantStatus::kUnspecified) {
        return InvalidField("participant.status", "required");
      }
      RETURN_IF_ERROR(CheckStatusChange(current.status, input.status));
      if (Blank(reason)) return InvalidField("reason", "required for a status change");
      if (input.status == ParticipantStatus::kTerminated) {
        RETURN_IF_ERROR(CheckNoContractsInForce(current.id));
      }
      next.status = input.status;
      action = "status";
    }
    RETURN_IF_ERROR(Validate(next));
    std::vector<FieldChange> changes = Diff(FieldsOf(current), FieldsOf(next));
    if (changes.empty()) {
      out = current;
      return absl::OkStatus();
    }
    next.version = current.version + 1;
    next.update_time = clock_.Now();
    RETURN_IF_ERROR(store_.UpdateParticipant(next, current.version));
    out = next;
    return store_.AppendHistory(
        Resource::kParticipant, next.id,
        HistoryEntry(who, next.version, next.update_time, action, reason, std::move(changes)));
  }));
  return out;
}

absl::StatusOr<paging::PageOf<ChangeEntry>> Participants::History(const std::string& id,
                                                                  const paging::Page& page,
                                                                  const Caller& who) {
  if (who.DeniedFor(id)) {
    return PermissionDeniedField("id",
                                 "a participant-scoped caller may read only its own "
                                 "participant's history");
  }
  RETURN_IF_ERROR(store_.GetParticipant(id).status());
  return store_.ListHistory(Resource::kParticipant, id, page);
}

}  // namespace gridbill::contracts
