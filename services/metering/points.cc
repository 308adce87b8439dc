#include "points.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/decimal.h"
#include "gridbill/domain/identifiers.h"

namespace gridbill::metering {

absl::Status CheckPoint(const MeteringPoint& p) {
  if (p.code.empty()) return InvalidField("point.code", "required");
  if (p.code.size() > 64) return InvalidField("point.code", "longer than 64 characters");
  for (char c : p.code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return InvalidField("point.code", "only letters, digits, '-', '_' and '.' are allowed");
    }
  }
  if (!p.eic.empty()) {
    RETURN_IF_ERROR(ValidateEic(p.eic, "point.eic"));
    if (p.eic[2] != 'Z') {
      return InvalidField("point.eic",
                          "a metering point's EIC has object type Z (third character)");
    }
  }
  if (p.name.empty()) return InvalidField("point.name", "required");
  if (p.resolution == Resolution::kUnspecified) return InvalidField("point.resolution", "required");
  if (p.status == PointStatus::kUnspecified) return InvalidField("point.status", "required");
  if (p.channels.empty()) return InvalidField("point.channels", "at least one channel is required");
  for (size_t i = 0; i < p.channels.size(); ++i) {
    const std::string field = absl::StrCat("point.channels[", i, "].channel");
    if (p.channels[i].channel == Channel::kUnspecified) return InvalidField(field, "required");
    for (size_t j = 0; j < i; ++j) {
      if (p.channels[j].channel == p.channels[i].channel) {
        return InvalidField(field, "the channel is listed twice");
      }
    }
  }
  for (const auto& [field, ratio] :
       {std::pair{"point.ct_ratio", &p.ct_ratio}, std::pair{"point.vt_ratio", &p.vt_ratio}}) {
    if (ratio->empty()) continue;
    ASSIGN_OR_RETURN(Decimal d, Decimal::Parse(*ratio, field));
    if (d.units() <= 0) return InvalidField(field, "must be positive");
  }
  if (p.valid_to && *p.valid_to < p.valid_from) {
    return InvalidField("point.valid_to", "before valid_from");
  }
  std::vector<Assignment> sorted = p.assignments;
  std::sort(sorted.begin(), sorted.end(),
            [](const Assignment& a, const Assignment& b) { return a.valid_from < b.valid_from; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string field = absl::StrCat("point.assignments[", i, "]");
    if (sorted[i].participant_id.empty()) {
      return InvalidField(field + ".participant_id", "required");
    }
    if (sorted[i].valid_to && *sorted[i].valid_to < sorted[i].valid_from) {
      return InvalidField(field + ".valid_to", "before valid_from");
    }
    if (i > 0 && (!sorted[i - 1].valid_to || *sorted[i - 1].valid_to >= sorted[i].valid_from)) {
      return InvalidField(field + ".valid_from",
                          "overlaps the previous assignment: a point has one owner a day");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<MeteringPoint> Points::Create(const MeteringPoint& input, const Caller& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot create points");
  RETURN_IF_ERROR(CheckPoint(input));
  MeteringPoint p = input;
  p.version = 1;
  p.create_time = p.update_time = clock_.Now();
  return store_.InsertPoint(p);
}

absl::StatusOr<MeteringPoint> Points::Update(const MeteringPoint& input, int64_t expected_version,
                                             const Caller& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot change points");
  RETURN_IF_ERROR(CheckPoint(input));
  ASSIGN_OR_RETURN(MeteringPoint current, store_.GetPoint(input.code));
  if (expected_version != 0 && expected_version != current.version) {
    return FailedPrecondition("expected_version",
                              absl::StrCat("the point is at version ", current.version));
  }
  if (input.resolution != current.resolution) {
    return FailedPrecondition("point.resolution",
                              "cannot change: stored days are cut to the old resolution");
  }
  MeteringPoint p = input;
  p.id = current.id;
  p.version = current.version + 1;
  p.create_time = current.create_time;
  p.update_time = clock_.Now();
  RETURN_IF_ERROR(store_.UpdatePoint(p, current.version));
  return p;
}

absl::StatusOr<MeteringPoint> Points::Get(const std::string& code, const Caller& who) {
  if (code.empty()) return InvalidField("code", "required");
  ASSIGN_OR_RETURN(MeteringPoint p, store_.GetPoint(code));
  if (who.scoped() &&
      !p.AssignedTo(who.participant_id, absl::CivilDay(1, 1, 1), absl::CivilDay(9999, 12, 31))) {
    return NotFound("metering point", code);
  }
  return p;
}

absl::StatusOr<Points::Found> Points::BatchGet(const std::vector<std::string>& codes,
                                               const Caller& who) {
  std::vector<std::string> distinct;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& c : codes) {
    if (c.empty()) return InvalidField("codes", "an empty code");
    if (seen.insert(c).second) distinct.push_back(c);
  }
  if (distinct.size() > kMaxBatchGet) {
    return InvalidField("codes", absl::StrCat(distinct.size(), " distinct codes; at most ",
                                              kMaxBatchGet, " a call"));
  }
  Found out;
  if (distinct.empty()) return out;
  ASSIGN_OR_RETURN(std::vector<MeteringPoint> found, store_.FindPoints(distinct));
  absl::flat_hash_map<std::string, MeteringPoint*> by_code;
  for (MeteringPoint& p : found) {
    if (who.scoped() &&
        !p.AssignedTo(who.participant_id, absl::CivilDay(1, 1, 1), absl::CivilDay(9999, 12, 31))) {
      continue;
    }
    by_code[p.code] = &p;
  }
  for (const std::string& c : distinct) {
    auto it = by_code.find(c);
    if (it == by_code.end()) {
      out.missing.push_back(c);
    } else {
      out.points.push_back(std::move(*it->second));
    }
  }
  return out;
}

absl::StatusOr<ListPage<MeteringPoint>> Points::List(const PointFilter& filter,
                                                     const paging::Page& page, const Caller& who) {
  PointFilter f = filter;
  if (who.scoped()) {
    if (!f.participant_id.empty() && f.participant_id != who.participant_id) {
      return absl::PermissionDeniedError("participant_id: another participant's points");
    }
    f.participant_id = who.participant_id;
  }
  return store_.ListPoints(f, page);
}

}  // namespace gridbill::metering
