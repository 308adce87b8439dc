// Conversions every service edge needs: proto <-> domain types, fingerprints
// of requests and field masks (page tokens: gridbill/server/paging.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "gridbill/common/v1/common.pb.h"
#include "gridbill/domain/civil.h"

namespace gridbill {

// SHA-256 of the message's deterministic serialization with its top-level
// `request_id` field cleared: the idempotency fingerprint, as 64 lowercase
// hex characters (safe in a text column and in logs).
std::string Fingerprint(const google::protobuf::Message& request);

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);

common::v1::Date ToProtoDate(absl::CivilDay d);
// A set Date must be a real calendar date; errors name `field` (unset: "required").
absl::StatusOr<absl::CivilDay> FromProtoDate(const common::v1::Date& d, std::string_view field);
// Unset (all zero) -> nullopt.
absl::StatusOr<std::optional<absl::CivilDay>> FromOptionalProtoDate(const common::v1::Date& d,
                                                                    std::string_view field);
bool IsSet(const common::v1::Date& d);

common::v1::BillingPeriod ToProtoPeriod(const BillingPeriod& p);
absl::StatusOr<BillingPeriod> FromProtoPeriod(const common::v1::BillingPeriod& p,
                                              std::string_view field);

// Validates mask paths against the allowed set; INVALID_ARGUMENT
// "update_mask: unknown or immutable field 'x'" / "update_mask: empty".
absl::Status CheckMask(const google::protobuf::FieldMask& mask,
                       std::initializer_list<std::string_view> allowed);
bool MaskHas(const google::protobuf::FieldMask& mask, std::string_view path);

}  // namespace gridbill
