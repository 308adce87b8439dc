#include "schemes.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/decimal.h"

namespace gridbill::balance {

absl::Status Schemes::Validate(const Scheme& s) {
  const int kind = static_cast<int>(s.kind);
  if (kind < 1 || kind > 3)
    return InvalidField("scheme.kind", "required: participant service, node or region");
  if (s.is_participant()) {
    if (s.participant_id.empty())
      return InvalidField("scheme.participant_id", "required for a participant scheme");
    if (s.service_type < 1 || s.service_type > 4) {
      return InvalidField("scheme.service_type", "required for a participant scheme");
    }
    if (!s.node_code.empty())
      return InvalidField("scheme.node_code", "only for node and region schemes");
    if (!s.normative_loss_percent.empty()) {
      return InvalidField("scheme.normative_loss_percent", "only for node and region schemes");
    }
  } else {
    if (s.node_code.empty())
      return InvalidField("scheme.node_code", "required for a node or region scheme");
    if (!s.participant_id.empty())
      return InvalidField("scheme.participant_id", "only for participant schemes");
    if (s.service_type != 0)
      return InvalidField("scheme.service_type", "only for participant schemes");
    if (!s.normative_loss_percent.empty()) {
      ASSIGN_OR_RETURN(Decimal rate,
                       Decimal::Parse(s.normative_loss_percent, "scheme.normative_loss_percent"));
      if (rate < Decimal() || rate > Decimal::FromInt(100)) {
        return InvalidField("scheme.normative_loss_percent", "must be between 0 and 100");
      }
    }
  }
  if (s.terms.empty()) return InvalidField("scheme.terms", "at least one term is required");
  std::set<std::pair<std::string, int>> seen;
  for (size_t i = 0; i < s.terms.size(); ++i) {
    const Term& t = s.terms[i];
    const std::string f = absl::StrCat("scheme.terms[", i, "]");
    if (t.point_code.empty()) return InvalidField(absl::StrCat(f, ".point_code"), "required");
    if (t.channel < 1 || t.channel > 4)
      return InvalidField(absl::StrCat(f, ".channel"), "required");
    const int role = static_cast<int>(t.role);
    if (s.is_participant() && role != 1 && role != 2) {
      return InvalidField(absl::StrCat(f, ".role"),
                          "a participant scheme's terms are ADD or SUBTRACT");
    }
    if (!s.is_participant() && role != 3 && role != 4) {
      return InvalidField(absl::StrCat(f, ".role"),
                          "a node or region scheme's terms are INFLOW or OUTFLOW");
    }
    if (!seen.emplace(t.point_code, t.channel).second) {
      return InvalidField(absl::StrCat(f, ".point_code"),
                          absl::StrCat("point ", QuoteInput(t.point_code), " channel ", t.channel,
                                       " appears twice"));
    }
  }
  if (s.valid_to && *s.valid_to < s.valid_from) {
    return InvalidField("scheme.valid_to", "before valid_from");
  }
  return absl::OkStatus();
}

absl::StatusOr<Scheme> Schemes::Define(Scheme scheme, const std::string& actor) {
  RETURN_IF_ERROR(Validate(scheme));
  // A term naming a point metering does not know, a channel the point does
  // not measure or a point not valid on any day of the scheme would fail
  // (or silently zero) every run of the scheme's period: refuse it now.
  std::vector<std::string> codes;
  codes.reserve(scheme.terms.size());
  for (const Term& t : scheme.terms) codes.push_back(t.point_code);
  ASSIGN_OR_RETURN(std::vector<PointInfo> found, points_.Find(codes));
  std::map<std::string, const PointInfo*> known;
  for (const PointInfo& p : found) known[p.code] = &p;
  std::vector<size_t> unknown;  // term indexes, each code once
  std::set<std::string> reported;
  for (size_t i = 0; i < scheme.terms.size(); ++i) {
    const std::string& code = scheme.terms[i].point_code;
    if (!known.count(code) && reported.insert(code).second) unknown.push_back(i);
  }
  if (!unknown.empty()) {
    std::string reason =
        absl::StrCat("no metering point ", QuoteInput(scheme.terms[unknown.front()].point_code));
    // The others too, so one correction fixes them all.
    for (size_t u = 1; u < unknown.size() && u <= 5; ++u) {
      absl::StrAppend(&reason, u == 1 ? "; also unknown: " : ", ",
                      QuoteInput(scheme.terms[unknown[u]].point_code));
    }
    if (unknown.size() > 6) absl::StrAppend(&reason, " and ", unknown.size() - 6, " more");
    return InvalidField(absl::StrCat("scheme.terms[", unknown.front(), "].point_code"), reason);
  }
  for (size_t i = 0; i < scheme.terms.size(); ++i) {
    const Term& t = scheme.terms[i];
    const PointInfo& p = *known.at(t.point_code);
    if (std::find(p.channels.begin(), p.channels.end(), t.channel) == p.channels.end()) {
      std::vector<std::string> has;
      for (int c : p.channels) has.push_back(absl::StrFormat("%02d", c));
      return InvalidField(
          absl::StrCat("scheme.terms[", i, "].channel"),
          absl::StrFormat("point %s has no channel %02d (it measures %s)", QuoteInput(t.point_code),
                          t.channel, absl::StrJoin(has, ", ")));
    }
    const bool before = scheme.valid_to && *scheme.valid_to < p.valid_from;
    const bool after = p.valid_to && *p.valid_to < scheme.valid_from;
    if (before || after) {
      return InvalidField(
          absl::StrCat("scheme.terms[", i, "].point_code"),
          absl::StrCat("point ", QuoteInput(t.point_code), " is valid ", FormatDate(p.valid_from),
                       "..", p.valid_to ? FormatDate(*p.valid_to) : std::string("open-ended"),
                       ", no day of the scheme's ", FormatDate(scheme.valid_from), "..",
                       scheme.valid_to ? FormatDate(*scheme.valid_to) : std::string("open-ended")));
    }
  }
  scheme.created_by = actor;
  scheme.create_time = clock_.Now();
  return store_.InsertScheme(scheme);
}

absl::StatusOr<Scheme> Schemes::Close(int64_t id, absl::CivilDay valid_to,
                                      const std::string& reason) {
  if (reason.empty()) return InvalidField("reason", "required");
  return store_.CloseScheme(id, valid_to, reason);
}

}  // namespace gridbill::balance
