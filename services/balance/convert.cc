#include "convert.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"
#include "percent.h"

namespace gridbill::balance {

absl::StatusOr<int64_t> ParseId(std::string_view text, std::string_view field) {
  if (text.empty()) return InvalidField(field, "required");
  int64_t id = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &id) || id <= 0) {
    return InvalidField(field, absl::StrCat("not an id: ", QuoteInput(text)));
  }
  return id;
}

absl::StatusOr<Scheme> FromProto(const v1::Scheme& in) {
  Scheme s;
  if (in.kind() == v1::SCHEME_KIND_UNSPECIFIED) return InvalidField("scheme.kind", "required");
  s.kind = static_cast<SchemeKind>(in.kind());
  s.participant_id = in.participant_id();
  s.service_type = in.service_type();
  s.node_code = in.node_code();
  s.name = in.name();
  for (int i = 0; i < in.terms_size(); ++i) {
    const v1::SchemeTerm& t = in.terms(i);
    s.terms.push_back(Term{t.point_code(), t.channel(), static_cast<TermRole>(t.role())});
    if (t.role() == v1::TERM_ROLE_UNSPECIFIED) {
      return InvalidField(absl::StrCat("scheme.terms[", i, "].role"), "required");
    }
  }
  ASSIGN_OR_RETURN(s.valid_from, FromProtoDate(in.valid_from(), "scheme.valid_from"));
  ASSIGN_OR_RETURN(s.valid_to, FromOptionalProtoDate(in.valid_to(), "scheme.valid_to"));
  s.normative_loss_percent = in.normative_loss_percent().value();
  s.reason = in.reason();
  return s;
}

void ToProto(const Scheme& s, v1::Scheme* out) {
  out->set_id(absl::StrCat(s.id));
  out->set_kind(static_cast<v1::SchemeKind>(s.kind));
  out->set_participant_id(s.participant_id);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(s.service_type));
  out->set_node_code(s.node_code);
  out->set_name(s.name);
  for (const Term& t : s.terms) {
    v1::SchemeTerm* o = out->add_terms();
    o->set_point_code(t.point_code);
    o->set_channel(static_cast<metering::v1::Channel>(t.channel));
    o->set_role(static_cast<v1::TermRole>(t.role));
  }
  *out->mutable_valid_from() = ToProtoDate(s.valid_from);
  if (s.valid_to) *out->mutable_valid_to() = ToProtoDate(*s.valid_to);
  if (!s.normative_loss_percent.empty()) {
    out->mutable_normative_loss_percent()->set_value(s.normative_loss_percent);
  }
  out->set_version(s.version);
  out->set_created_by(s.created_by);
  *out->mutable_create_time() = ToProtoTime(s.create_time);
  out->set_reason(s.reason);
}

void ToProto(const Quality& q, v1::InputQuality* out) {
  out->set_intervals(q.intervals);
  out->set_estimated(q.estimated);
  out->set_missing(q.missing);
}

void ToProto(const Run& r, v1::BalanceRun* out) {
  out->set_id(absl::StrCat(r.id));
  *out->mutable_period() = ToProtoPeriod(r.period);
  out->set_type(static_cast<v1::RunType>(r.type));
  out->set_correction_number(r.correction_number);
  common::v1::Job* job = out->mutable_job();
  job->set_id(absl::StrCat(r.id));
  job->set_kind("balance.run");
  job->set_state(static_cast<common::v1::JobState>(r.state));
  job->set_done(r.done);
  job->set_total(r.total);
  if (r.start_time) *job->mutable_start_time() = ToProtoTime(*r.start_time);
  if (r.finish_time) *job->mutable_finish_time() = ToProtoTime(*r.finish_time);
  job->set_summary(r.summary_text);
  job->set_error(r.error);
  v1::RunInputs* in = out->mutable_inputs();
  *in->mutable_readings_as_of() = ToProtoTime(r.readings_as_of);
  for (size_t i = 0; i < r.scheme_ids.size(); ++i) {
    v1::SchemeRef* ref = in->add_schemes();
    ref->set_scheme_id(absl::StrCat(r.scheme_ids[i]));
    ref->set_version(i < r.scheme_versions.size() ? r.scheme_versions[i] : 0);
  }
  for (const DeclaredVolume& d : r.declared) {
    v1::DeclaredVolumeInput* o = in->add_declared_volumes();
    o->set_participant_id(d.participant_id);
    o->set_service_type(static_cast<contracts::v1::ServiceType>(d.service_type));
    o->set_volume_wh(d.volume_wh);
    o->set_application_id(d.application_id);
  }
  in->set_time_zone(r.time_zone);
  in->mutable_closure_tolerance_percent()->set_value(r.closure_tolerance_percent);
  if (r.base_run_id != 0) out->set_base_run_id(absl::StrCat(r.base_run_id));
  out->set_created_by(r.created_by);
  *out->mutable_computed_until() = ToProtoTime(r.computed_until);
  v1::RunSummary* s = out->mutable_summary();
  s->set_service_hours(r.summary.service_hours);
  s->set_node_hours(r.summary.node_hours);
  s->set_hours(r.summary.hours);
  s->set_point_days(r.summary.point_days);
  ToProto(r.summary.quality, s->mutable_quality());
  v1::ClosureCheck* c = s->mutable_closure();
  const Closure& cl = r.summary.closure;
  c->set_supply_wh(cl.supply_wh);
  c->set_consumption_wh(cl.consumption_wh);
  c->set_grid_losses_wh(cl.grid_losses());
  c->set_node_losses_wh(cl.node_losses_wh);
  c->set_residual_wh(cl.residual());
  c->mutable_tolerance_percent()->set_value(r.closure_tolerance_percent);
  c->set_closed(r.summary.closed);
  c->set_checked(r.summary.closure_checked);
}

void ToProto(const ServiceHour& h, v1::ServiceHour* out) {
  out->set_participant_id(h.participant_id);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(h.service_type));
  *out->mutable_hour_start() = ToProtoTime(h.hour_start);
  out->set_actual_wh(h.actual_wh);
  out->set_declared_wh(h.declared_wh);
  out->set_imbalance_wh(h.has_declaration ? h.actual_wh - h.declared_wh : 0);
  out->set_has_declaration(h.has_declaration);
  ToProto(h.quality, out->mutable_quality());
}

void ToProto(const NodeHour& h, v1::NodeHour* out) {
  out->set_node_code(h.node_code);
  out->set_kind(static_cast<v1::SchemeKind>(h.kind));
  *out->mutable_hour_start() = ToProtoTime(h.hour_start);
  out->set_inflow_wh(h.inflow_wh);
  out->set_outflow_wh(h.outflow_wh);
  out->set_generation_wh(h.generation_wh);
  out->set_consumption_wh(h.consumption_wh);
  const int64_t losses = h.inflow_wh - h.outflow_wh;
  out->set_losses_wh(losses);
  out->mutable_losses_percent()->set_value(PercentOf(losses, h.inflow_wh));
  out->mutable_normative_loss_percent()->set_value(h.normative_loss_percent);
  absl::StatusOr<bool> above = AbovePercent(losses, h.inflow_wh, h.normative_loss_percent);
  out->set_above_normative(above.ok() && *above);
  ToProto(h.quality, out->mutable_quality());
}

void ToProto(const ServiceTotal& t, const std::string& run_id, v1::ServiceTotal* out) {
  out->set_participant_id(t.participant_id);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(t.service_type));
  out->set_actual_wh(t.actual_wh);
  out->set_declared_wh(t.declared_wh);
  out->set_imbalance_wh(t.has_declaration ? t.actual_wh - t.declared_wh : 0);
  out->set_has_declaration(t.has_declaration);
  out->set_hours(t.hours);
  ToProto(t.quality, out->mutable_quality());
  out->set_run_id(run_id);
}

void ToProto(const NodeTotal& t, v1::NodeTotal* out) {
  out->set_node_code(t.node_code);
  out->set_kind(static_cast<v1::SchemeKind>(t.kind));
  out->set_inflow_wh(t.inflow_wh);
  out->set_outflow_wh(t.outflow_wh);
  out->set_generation_wh(t.generation_wh);
  out->set_consumption_wh(t.consumption_wh);
  const int64_t losses = t.inflow_wh - t.outflow_wh;
  out->set_losses_wh(losses);
  out->mutable_losses_percent()->set_value(PercentOf(losses, t.inflow_wh));
  out->mutable_normative_loss_percent()->set_value(t.normative_loss_percent);
  absl::StatusOr<bool> above = AbovePercent(losses, t.inflow_wh, t.normative_loss_percent);
  out->set_above_normative(above.ok() && *above);
  ToProto(t.quality, out->mutable_quality());
}

void ToProto(const ServiceDiff& d, v1::ServiceDiff* out) {
  out->set_participant_id(d.participant_id);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(d.service_type));
  out->set_base_wh(d.base_wh);
  out->set_other_wh(d.other_wh);
  out->set_delta_wh(d.other_wh - d.base_wh);
  out->set_changed_hours(d.changed_hours);
  for (const Cause& c : d.causes) {
    v1::Cause* o = out->add_causes();
    o->set_kind(static_cast<v1::CauseKind>(c.kind));
    if (c.kind == CauseKind::kReadingsRevision) {
      o->set_point_code(c.point_code);
      o->set_channel(static_cast<metering::v1::Channel>(c.channel));
      *o->mutable_day() = ToProtoDate(c.day);
      o->set_base_revision(c.base_revision);
      o->set_other_revision(c.other_revision);
    }
    if (c.base_scheme_id != 0) o->set_base_scheme_id(absl::StrCat(c.base_scheme_id));
    if (c.other_scheme_id != 0) o->set_other_scheme_id(absl::StrCat(c.other_scheme_id));
    o->set_base_declared_wh(c.base_declared_wh);
    o->set_other_declared_wh(c.other_declared_wh);
  }
}

}  // namespace gridbill::balance
