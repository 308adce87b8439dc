// Parsing of import files into readings: CSV and the XML 80020 layout, in
// UTF-8 or Windows-1251, with values in Wh, kWh or MWh converted exactly to
// Wh. Pure: no store, no gRPC. Every error is INVALID_ARGUMENT on "content"
// and names the line (CSV) or the line and element path (80020). The
// formats are described in README.md, "Metering import formats".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "model.h"

namespace gridbill::metering {

// Numbers are the proto enums'.
enum class ImportFormat { kUnspecified = 0, kCsv = 1, kXml80020 = 2 };
// kAuto: UTF-8 when the bytes are valid UTF-8, Windows-1251 otherwise.
enum class TextEncoding { kAuto = 0, kUtf8 = 1, kWindows1251 = 2 };
enum class EnergyUnit { kUnspecified = 0, kWh = 1, kKwh = 2, kMwh = 3 };

struct FileOptions {
  ImportFormat format = ImportFormat::kUnspecified;
  TextEncoding encoding = TextEncoding::kAuto;
  EnergyUnit unit = EnergyUnit::kUnspecified;
  // Recorded with readings whose line names no source.
  Source source = Source::kCms;
  // The operator's zone: local times of the file are in it.
  absl::TimeZone zone;
};

// One reading of a file and where it was found.
struct FileReading {
  Reading reading;
  // "line 7" (CSV) or "line 12 (message/area/measuringpoint[code=MP-1]/...)".
  std::string where;
  // 80020: the period's length in minutes, checked against the point's
  // resolution; 0 for CSV.
  int period_minutes = 0;
};

struct ParsedFile {
  std::vector<FileReading> readings;
  // The encoding the bytes were read in ("UTF-8" or "Windows-1251").
  std::string encoding;
};

absl::StatusOr<ParsedFile> ParseImportFile(std::string_view bytes, const FileOptions& options);

// --- Parts, exposed for tests ------------------------------------------------

bool IsValidUtf8(std::string_view bytes);
// The bytes as UTF-8 (a UTF-8 byte order mark dropped); invalid UTF-8 or
// bytes Windows-1251 does not define are errors naming the line.
absl::StatusOr<std::string> DecodeText(std::string_view bytes, TextEncoding encoding,
                                       std::string* used);
// A decimal in `unit` as exact Wh ("1.5" kWh = 1500): a fraction finer than
// 1 Wh is an error; `comma_decimal` also accepts ',' as the separator.
absl::StatusOr<int64_t> ToWh(std::string_view text, EnergyUnit unit, bool comma_decimal = false);

}  // namespace gridbill::metering
