// Minimal JSON writing for log lines and exports (no parsing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gridbill::json {

// Appends `s` as a quoted, escaped JSON string to `out`.
void AppendString(std::string& out, std::string_view s);

// Builds one JSON object, keys in insertion order.
class ObjectWriter {
 public:
  ObjectWriter& Add(std::string_view key, std::string_view value);
  ObjectWriter& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  ObjectWriter& Add(std::string_view key, int64_t value);
  ObjectWriter& Add(std::string_view key, double value);
  ObjectWriter& Add(std::string_view key, bool value);
  // Adds raw, already-encoded JSON.
  ObjectWriter& AddRaw(std::string_view key, std::string_view json);
  std::string Finish() &&;

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace gridbill::json
