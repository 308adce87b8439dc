// proto <-> domain conversions of the metering edge. Errors name the field.
#pragma once

#include "absl/status/statusor.h"
#include "gridbill/metering/v1/metering.pb.h"
#include "model.h"

namespace gridbill::metering {

namespace v1 = ::gridbill::metering::v1;

absl::StatusOr<MeteringPoint> FromProto(const v1::MeteringPoint& p);
void ToProto(const MeteringPoint& p, v1::MeteringPoint* out);

absl::StatusOr<AsOf> FromProto(const v1::AsOf& a);
void ToProto(const ValueOut& v, v1::ReadingValue* out);
void ToProto(const IngestSummary& s, v1::IngestSummary* out);
void ToProto(const Completeness& c, v1::Completeness* out);

}  // namespace gridbill::metering
