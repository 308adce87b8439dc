// Minimal JSON writing for log lines and exports (no parsing).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace gridbill::json {

// Appends `s` as a quoted, escaped JSON string to `out`. Quotes, backslashes
// and control characters are escaped; valid UTF-8 passes through unchanged;
// bytes that are not valid UTF-8 become U+FFFD so the output stays valid JSON.
void AppendString(std::string& out, std::string_view s);

// Builds one JSON object, keys in insertion order.
class ObjectWriter {
 public:
  ObjectWriter& Add(std::string_view key, std::string_view value);
  ObjectWriter& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  ObjectWriter& Add(std::string_view key, int64_t value);
  // Other integer types (int, size_t, ...), which would otherwise be ambiguous
  // between the int64_t, double and bool overloads.
  template <std::integral T>
  requires(!std::same_as<T, bool> &&
           !std::same_as<T, int64_t>) ObjectWriter& Add(std::string_view key, T value) {
    if constexpr (std::is_signed_v<T>) {
      return Add(key, static_cast<int64_t>(value));
    } else {
      return AddUnsigned(key, static_cast<uint64_t>(value));
    }
  }
  // Shortest text that reads back as the same double; NaN and infinities,
  // which JSON cannot represent, are written as null.
  ObjectWriter& Add(std::string_view key, double value);
  ObjectWriter& Add(std::string_view key, bool value);
  // Adds raw, already-encoded JSON.
  ObjectWriter& AddRaw(std::string_view key, std::string_view json);
  // The finished object. The && form moves the text out; the const& form
  // copies it so that a chain `ObjectWriter().Add(..).Add(..).Finish()`
  // (where Add returns an lvalue) also compiles.
  std::string Finish() &&;
  std::string Finish() const&;

 private:
  ObjectWriter& AddUnsigned(std::string_view key, uint64_t value);
  void Key(std::string_view key);
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace gridbill::json
