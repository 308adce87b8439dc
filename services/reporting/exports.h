// A report's answer as a file in one of the export formats (CSV, XLSX,
// PDF), handed to a sink in chunks: what ExportReport streams and what a
// scheduled report stores.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "reports.h"

namespace gridbill::reporting {

// The values of gridbill.reporting.v1.ExportFormat.
enum class Format { kCsv = 1, kXlsx = 2, kPdf = 3 };

// "R2-2026-01-2026-12.csv".
std::string FileName(const Query& query, Format format);
std::string ContentType(Format format);

// Writes the table of `query` in `format`; XLSX workbooks are written in
// `tmp_dir` first. `sink` gets pieces of at most `chunk_bytes`.
absl::Status Export(const Query& query, const Table& table, Format format, Language language,
                    const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink);
// The same from rows read one at a time: CSV and XLSX stream them (memory
// stays flat with the rows); a PDF is laid out whole, so its rows are
// gathered first.
absl::Status Export(const Query& query, const RowSource& rows, Format format, Language language,
                    const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink);

}  // namespace gridbill::reporting
