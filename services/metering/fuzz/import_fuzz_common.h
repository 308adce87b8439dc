// Shared by the import fuzz targets: options from the first input byte
// (encoding and unit), the file from the rest, parsed as `format`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"
#include "import_parse.h"

namespace gridbill::metering::fuzz {

inline void ParseOne(ImportFormat format, const uint8_t* data, size_t size) {
  if (size == 0) return;
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    return absl::LoadTimeZone("Asia/Almaty", &z) ? z : absl::FixedTimeZone(5 * 3600);
  }();
  FileOptions options;
  options.format = format;
  options.encoding = static_cast<TextEncoding>(data[0] % 3);
  options.unit = static_cast<EnergyUnit>((data[0] / 3) % 4);
  options.zone = zone;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = ParseImportFile(bytes, options);
  if (parsed.ok()) {
    for (const FileReading& r : parsed->readings) {
      // Every reading names where it came from.
      if (r.where.empty()) __builtin_trap();
    }
  }
}

}  // namespace gridbill::metering::fuzz
