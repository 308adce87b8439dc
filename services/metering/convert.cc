#include "convert.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"
#include "vee.h"

namespace gridbill::metering {

absl::StatusOr<MeteringPoint> FromProto(const v1::MeteringPoint& in) {
  MeteringPoint p;
  p.code = in.code();
  p.eic = in.eic();
  p.name = in.name();
  p.substation_code = in.substation_code();
  p.voltage_level_code = in.voltage_level_code();
  for (int i = 0; i < in.assignments_size(); ++i) {
    const v1::Assignment& a = in.assignments(i);
    const std::string field = absl::StrCat("point.assignments[", i, "]");
    Assignment out;
    out.participant_id = a.participant_id();
    ASSIGN_OR_RETURN(out.valid_from, FromProtoDate(a.valid_from(), field + ".valid_from"));
    ASSIGN_OR_RETURN(out.valid_to, FromOptionalProtoDate(a.valid_to(), field + ".valid_to"));
    p.assignments.push_back(std::move(out));
  }
  for (const v1::ChannelConfig& c : in.channels()) {
    p.channels.push_back(ChannelConfig{static_cast<Channel>(c.channel()), c.meter_serial()});
  }
  p.meter_serial = in.meter_serial();
  p.ct_ratio = in.ct_ratio();
  p.vt_ratio = in.vt_ratio();
  p.resolution = static_cast<Resolution>(in.resolution());
  p.status = static_cast<PointStatus>(in.status());
  ASSIGN_OR_RETURN(p.valid_from, FromProtoDate(in.valid_from(), "point.valid_from"));
  ASSIGN_OR_RETURN(p.valid_to, FromOptionalProtoDate(in.valid_to(), "point.valid_to"));
  return p;
}

void ToProto(const MeteringPoint& p, v1::MeteringPoint* out) {
  out->set_code(p.code);
  out->set_eic(p.eic);
  out->set_name(p.name);
  out->set_substation_code(p.substation_code);
  out->set_voltage_level_code(p.voltage_level_code);
  for (const Assignment& a : p.assignments) {
    v1::Assignment* o = out->add_assignments();
    o->set_participant_id(a.participant_id);
    *o->mutable_valid_from() = ToProtoDate(a.valid_from);
    if (a.valid_to) *o->mutable_valid_to() = ToProtoDate(*a.valid_to);
  }
  for (const ChannelConfig& c : p.channels) {
    v1::ChannelConfig* o = out->add_channels();
    o->set_channel(static_cast<v1::Channel>(c.channel));
    o->set_meter_serial(c.meter_serial);
  }
  out->set_meter_serial(p.meter_serial);
  out->set_ct_ratio(p.ct_ratio);
  out->set_vt_ratio(p.vt_ratio);
  out->set_resolution(static_cast<v1::Resolution>(p.resolution));
  out->set_status(static_cast<v1::MeteringPointStatus>(p.status));
  *out->mutable_valid_from() = ToProtoDate(p.valid_from);
  if (p.valid_to) *out->mutable_valid_to() = ToProtoDate(*p.valid_to);
  out->set_version(p.version);
  *out->mutable_create_time() = ToProtoTime(p.create_time);
  *out->mutable_update_time() = ToProtoTime(p.update_time);
}

absl::StatusOr<AsOf> FromProto(const v1::AsOf& a) {
  AsOf out;
  switch (a.selector_case()) {
    case v1::AsOf::kRevision:
      if (a.revision() < 1) return InvalidField("as_of.revision", "must be at least 1");
      out.kind = AsOf::Kind::kRevision;
      out.revision = a.revision();
      break;
    case v1::AsOf::kTime:
      out.kind = AsOf::Kind::kTime;
      out.time = FromProtoTime(a.time());
      break;
    default:
      break;
  }
  return out;
}

void ToProto(const ValueOut& v, v1::ReadingValue* out) {
  *out->mutable_start() = ToProtoTime(v.start);
  *out->mutable_end() = ToProtoTime(v.end);
  out->set_value_wh(v.value_wh);
  out->set_quality(static_cast<v1::Quality>(v.quality));
  out->set_revision(v.revision);
  for (Finding f : FindingsOf(v.findings)) out->add_findings(static_cast<v1::Finding>(f));
  out->set_source(static_cast<v1::Source>(v.source));
  if (v.scada_value_wh) out->set_scada_value_wh(*v.scada_value_wh);
  out->set_source_status_code(v.status_code);
}

void ToProto(const IngestSummary& s, v1::IngestSummary* out) {
  out->set_accepted(s.accepted);
  out->set_unchanged(s.unchanged);
  out->set_revised(s.revised);
  out->set_rejected(s.rejected);
  out->set_revisions_written(s.revisions_written);
  out->set_flagged(s.flagged);
  out->set_missing(s.missing);
  out->set_status_flagged(s.status_flagged);
  for (const Rejection& r : s.rejections) {
    v1::Rejection* o = out->add_rejections();
    o->set_batch_index(r.batch_index);
    o->set_reading_index(r.reading_index);
    o->set_key(r.key);
    o->set_reason(r.reason);
    o->set_series_index(r.series_index);
    o->set_value_index(r.value_index);
  }
}

void ToProto(const Completeness& c, v1::Completeness* out) {
  out->set_point_code(c.point_code);
  out->set_channel(static_cast<v1::Channel>(c.channel));
  out->set_expected(c.expected);
  out->set_measured(c.measured);
  out->set_estimated(c.estimated);
  out->set_edited(c.edited);
  out->set_missing(c.missing);
  for (const auto& [finding, intervals] : c.findings) {
    v1::FindingCount* f = out->add_findings();
    f->set_finding(static_cast<v1::Finding>(finding));
    f->set_intervals(intervals);
  }
}

}  // namespace gridbill::metering
