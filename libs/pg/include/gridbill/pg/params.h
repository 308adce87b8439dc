// Statement parameters, sent in text format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace gridbill::pg {

// Keeps the variadic constructor below from hijacking copies.
template <typename Self, typename... Args>
concept NotCopyOf =
    !(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, Self> && ...));

template <typename T>
concept NonBoolInteger = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// An ordered list of parameters ($1, $2, ...). std::nullopt is SQL NULL.
class Params {
 public:
  Params() = default;
  template <typename... Args>
  requires NotCopyOf<Params, Args...>
  explicit Params(Args&&... args) { (Add(std::forward<Args>(args)), ...); }

  Params& Add(std::nullopt_t);
  Params& Add(std::string_view v);
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(int64_t v);
  Params& Add(int v) { return Add(static_cast<int64_t>(v)); }
  // Other integer types (int32_t, size_t, ...) as bigint.
  template <NonBoolInteger T>
  Params& Add(T v) {
    return Add(static_cast<int64_t>(v));
  }
#if !defined(ABSL_USES_STD_STRING_VIEW)
  // Debian's Abseil has its own string_view type (e.g. Status::message()).
  Params& Add(absl::string_view v) { return Add(std::string_view(v.data(), v.size())); }
#endif
  Params& Add(bool v);
  Params& Add(double v);          // float8, round-trip precision
  Params& Add(absl::Time v);      // timestamptz, RFC 3339 in UTC
  Params& Add(absl::CivilDay v);  // date
  template <typename T>
  Params& Add(const std::optional<T>& v) {
    return v ? Add(*v) : Add(std::nullopt);
  }
  // bytea (sent as hex text "\\x...").
  Params& AddBytes(std::string_view bytes);
  // A text[] array literal.
  Params& AddTextArray(const std::vector<std::string>& values);
  // A bigint[] array literal (e.g. for "= ANY($1)").
  Params& AddIntArray(const std::vector<int64_t>& values);

  int size() const { return static_cast<int>(values_.size()); }
  // libpq-ready pointers (nullptr for NULL); valid while *this lives.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

}  // namespace gridbill::pg
