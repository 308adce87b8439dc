// Bridges std::string_view and absl::string_view.
//
// Debian 12's Abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW 0, so
// absl::string_view is its own type: absl::StrCat, absl::Status, absl::Cord
// and friends do not accept a std::string_view directly. Our headers speak
// std::string_view; these two functions cross the line at no cost.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace gridbill {

constexpr absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

constexpr std::string_view ToStd(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace gridbill
