// The data-warehouse export: facts as partitioned CSV, gzip-compressed, with
// a manifest. A partition is written whole (`.tmp`, then renamed) from rows
// the caller sorts; the gzip stream carries no time stamp or file name and a
// fixed compression level, so re-exporting the same range writes the same
// bytes (the manifest's SHA-256 proves it). Pure: files only.
//
//   <dir>/<table>/<partition>/part-00000.csv.gz
//   <dir>/<table>/<partition>/manifest.json
//     {"schema_version":1,"table":...,"partition":...,"rows":N,
//      "columns":[...],"sha256":"<of the .csv.gz>","csv_sha256":"<of the CSV>",
//      "cursor_from":...,"cursor_to":...}
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gridbill::integrations {

inline constexpr int kDwhSchemaVersion = 1;

struct DwhPartition {
  std::string table;      // e.g. "documents"
  std::string partition;  // e.g. "period=2026-10"
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // sorted by the caller
  std::string cursor_from;
  std::string cursor_to;
};

struct DwhWritten {
  std::string path;    // the .csv.gz
  std::string sha256;  // of the .csv.gz
  int64_t rows = 0;
};

// Gzip of `data` with no time stamp and no name (deterministic).
absl::StatusOr<std::string> DeterministicGzip(const std::string& data);

absl::StatusOr<DwhWritten> ExportPartition(const std::string& dir, const DwhPartition& p);

}  // namespace gridbill::integrations
