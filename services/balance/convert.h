// Proto <-> domain conversions of the balance service.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "gridbill/balance/v1/balance.pb.h"
#include "model.h"
#include "runs.h"

namespace gridbill::balance {

absl::StatusOr<Scheme> FromProto(const v1::Scheme& in);
void ToProto(const Scheme& s, v1::Scheme* out);
void ToProto(const Run& r, v1::BalanceRun* out);
void ToProto(const ServiceHour& h, v1::ServiceHour* out);
void ToProto(const NodeHour& h, v1::NodeHour* out);
void ToProto(const ServiceTotal& t, const std::string& run_id, v1::ServiceTotal* out);
void ToProto(const NodeTotal& t, v1::NodeTotal* out);
void ToProto(const ServiceDiff& d, v1::ServiceDiff* out);
void ToProto(const Quality& q, v1::InputQuality* out);

// A run or scheme id as sent ("17"); INVALID_ARGUMENT names `field`.
absl::StatusOr<int64_t> ParseId(std::string_view text, std::string_view field);

}  // namespace gridbill::balance
