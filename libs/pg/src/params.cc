#include "gridbill/pg/params.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "string_view.h"

namespace gridbill::pg {

Params& Params::Add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::Add(std::string_view v) {
  values_.emplace_back(std::string(v));
  return *this;
}

Params& Params::Add(int64_t v) {
  values_.emplace_back(absl::StrCat(v));
  return *this;
}

Params& Params::Add(bool v) {
  values_.emplace_back(v ? "true" : "false");
  return *this;
}

Params& Params::Add(double v) {
  // %.17g round-trips every double; PostgreSQL spells the specials itself.
  if (v != v) {
    values_.emplace_back("NaN");
  } else if (v == std::numeric_limits<double>::infinity()) {
    values_.emplace_back("Infinity");
  } else if (v == -std::numeric_limits<double>::infinity()) {
    values_.emplace_back("-Infinity");
  } else {
    values_.emplace_back(absl::StrFormat("%.17g", v));
  }
  return *this;
}

Params& Params::Add(absl::Time v) {
  if (v == absl::InfiniteFuture()) {
    values_.emplace_back("infinity");
  } else if (v == absl::InfinitePast()) {
    values_.emplace_back("-infinity");
  } else {
    // Microseconds are PostgreSQL's resolution; truncate rather than let the
    // server round, so that a value read back is never later than written.
    values_.emplace_back(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", v, absl::UTCTimeZone()));
  }
  return *this;
}

Params& Params::Add(absl::CivilDay v) {
  values_.emplace_back(absl::FormatCivilTime(v));
  return *this;
}

Params& Params::AddBytes(std::string_view bytes) {
  values_.emplace_back(absl::StrCat("\\x", absl::BytesToHexString(Av(bytes))));
  return *this;
}

Params& Params::AddTextArray(const std::vector<std::string>& values) {
  // Every element quoted, so that "NULL", "" and delimiters stay text.
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  values_.emplace_back(std::move(out));
  return *this;
}

Params& Params::AddIntArray(const std::vector<int64_t>& values) {
  values_.emplace_back(absl::StrCat("{", absl::StrJoin(values, ","), "}"));
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

}  // namespace gridbill::pg
