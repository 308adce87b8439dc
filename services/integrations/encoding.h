// Text encodings of the files outside systems send (iconv from glibc).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridbill::integrations {

// True when `bytes` is well-formed UTF-8.
bool IsUtf8(absl::string_view bytes);

// `bytes` in `charset` (an iconv name: "CP1251", "CP866") as UTF-8.
// INVALID_ARGUMENT naming the line of a byte the charset does not have.
absl::StatusOr<std::string> ToUtf8(absl::string_view bytes, const char* charset);

// UTF-8 `text` in `charset`; characters the charset lacks become '?'.
absl::StatusOr<std::string> FromUtf8(absl::string_view text, const char* charset);

}  // namespace gridbill::integrations
