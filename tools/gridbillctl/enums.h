// Enum values on the command line and in CSV files: the full proto name
// (SERVICE_TYPE_BALANCING) or the short form without the type's prefix
// (balancing), case-insensitively, with '-' accepted for '_'.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace gridbill::ctl {

// The value named by `text`. The _UNSPECIFIED value is refused. Errors are
// INVALID_ARGUMENT listing the accepted short forms, e.g.
// `unknown service type "x" (expected transmission, technical_dispatching, ...)`.
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   std::string_view text);

template <typename E>
absl::StatusOr<E> ParseEnum(std::string_view text) {
  absl::StatusOr<int> v = ParseEnumValue(*google::protobuf::GetEnumDescriptor<E>(), text);
  if (!v.ok()) return v.status();
  return static_cast<E>(*v);
}

// "technical_dispatching" for SERVICE_TYPE_TECHNICAL_DISPATCHING; the number
// for a value the descriptor does not know.
std::string EnumShortName(const google::protobuf::EnumDescriptor& type, int value);

template <typename E>
std::string ShortName(E value) {
  return EnumShortName(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

// "service type" for ServiceType.
std::string EnumWords(const google::protobuf::EnumDescriptor& type);

// A comma-separated list of roles ("operator,ROLE_AUDITOR") as the
// x-gridbill-roles header wants it: full ROLE_* names, comma-separated.
absl::StatusOr<std::string> NormalizeRoles(std::string_view text);

}  // namespace gridbill::ctl
