// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so the two do not convert implicitly.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace gridbill::pg {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace gridbill::pg
