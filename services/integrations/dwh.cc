#include "dwh.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "documents.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/json.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::integrations {

absl::StatusOr<std::string> DeterministicGzip(const std::string& data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper; deflateSetHeader is not called, so
  // the header has mtime 0, no name and OS "unknown"... set explicitly below.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  gz_header header{};
  header.os = 255;  // unknown: the same bytes on every machine
  deflateSetHeader(&zs, &header);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return absl::InternalError("deflate did not finish");
  out.resize(written);
  return out;
}

absl::StatusOr<DwhWritten> ExportPartition(const std::string& dir, const DwhPartition& p) {
  std::string csv = CsvLine(p.columns);
  for (const std::vector<std::string>& row : p.rows) csv += CsvLine(row);
  ASSIGN_OR_RETURN(std::string gz, DeterministicGzip(csv));
  const std::string folder = absl::StrCat(dir, "/", p.table, "/", p.partition);
  DwhWritten out;
  out.path = folder + "/part-00000.csv.gz";
  out.sha256 = Sha256Hex(gz);
  out.rows = static_cast<int64_t>(p.rows.size());
  RETURN_IF_ERROR(WriteFileAtomically(out.path, gz));
  std::string columns = "[";
  for (size_t i = 0; i < p.columns.size(); ++i) {
    if (i > 0) columns += ",";
    json::AppendString(columns, p.columns[i]);
  }
  columns += "]";
  const std::string manifest = json::ObjectWriter()
                                   .Add("schema_version", kDwhSchemaVersion)
                                   .Add("table", p.table)
                                   .Add("partition", p.partition)
                                   .Add("rows", out.rows)
                                   .AddRaw("columns", columns)
                                   .Add("file", "part-00000.csv.gz")
                                   .Add("sha256", out.sha256)
                                   .Add("csv_sha256", Sha256Hex(csv))
                                   .Add("cursor_from", p.cursor_from)
                                   .Add("cursor_to", p.cursor_to)
                                   .Finish();
  RETURN_IF_ERROR(WriteFileAtomically(folder + "/manifest.json", manifest + "\n"));
  return out;
}

}  // namespace gridbill::integrations
