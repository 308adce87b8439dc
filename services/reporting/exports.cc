#include "exports.h"

#include "absl/strings/str_cat.h"
#include "pdf_export.h"
#include "xlsx.h"

namespace gridbill::reporting {

std::string FileName(const Query& query, Format format) {
  switch (format) {
    case Format::kXlsx:
      return absl::StrCat(FileStem(query), ".xlsx");
    case Format::kPdf:
      return absl::StrCat(FileStem(query), ".pdf");
    case Format::kCsv:
      break;
  }
  return absl::StrCat(FileStem(query), ".csv");
}

std::string ContentType(Format format) {
  switch (format) {
    case Format::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case Format::kPdf:
      return "application/pdf";
    case Format::kCsv:
      break;
  }
  return "text/csv; charset=utf-8";
}

absl::Status Export(const Query& query, const Table& table, Format format, Language language,
                    const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink) {
  switch (format) {
    case Format::kXlsx:
      return WriteXlsx(table, language, tmp_dir, chunk_bytes, sink);
    case Format::kPdf:
      return WritePdf(table, query, language, chunk_bytes, sink);
    case Format::kCsv:
      break;
  }
  return WriteCsv(table, language, chunk_bytes, sink);
}

absl::Status Export(const Query& query, const RowSource& rows, Format format, Language language,
                    const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink) {
  switch (format) {
    case Format::kXlsx:
      return WriteXlsx(*query.report, rows, language, tmp_dir, chunk_bytes, sink);
    case Format::kPdf: {
      Table table;
      table.report = query.report;
      while (const std::vector<std::string>* row = rows()) table.rows.push_back(*row);
      return WritePdf(table, query, language, chunk_bytes, sink);
    }
    case Format::kCsv:
      break;
  }
  return WriteCsv(*query.report, rows, language, chunk_bytes, sink);
}

}  // namespace gridbill::reporting
