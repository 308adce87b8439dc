#include "dwh.h"

#include <algorithm>
#include <map>

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

absl::StatusOr<int> DwhNightly::RunIfDue() {
  const absl::Time now = clock_.Now();
  const absl::CivilSecond local = absl::ToCivilSecond(now, schedule_.zone);
  const absl::CivilDay today(local);
  if (local - absl::CivilSecond(today) < absl::ToInt64Seconds(schedule_.at)) return 0;
  ASSIGN_OR_RETURN(std::string last, store_.Cursor(kDwhNightlyFeed));
  const std::string day = absl::FormatCivilTime(today);
  if (!last.empty() && last >= day) return 0;
  ASSIGN_OR_RETURN(int n, Export(today));
  RETURN_IF_ERROR(store_.AppendFacts(kDwhNightlyFeed, day, {}, now).status());
  return n;
}

absl::StatusOr<int> DwhNightly::Export(absl::CivilDay day) {
  const absl::Time now = clock_.Now();
  std::vector<Delivery> claimed;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<Delivery> page,
                     store_.ClaimDue(kDwhAdapter, 1000, now, absl::Minutes(30)));
    if (page.empty()) break;
    claimed.insert(claimed.end(), page.begin(), page.end());
  }
  if (claimed.empty()) return 0;
  struct Part {
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // by document id
    int64_t from = 0, to = 0;
    std::vector<const Delivery*> deliveries;
  };
  std::map<std::string, Part> parts;
  for (const Delivery& d : claimed) {
    absl::StatusOr<DocumentFact> doc = DocumentFact::Decode(d.payload);
    if (!doc.ok()) {
      RETURN_IF_ERROR(
          store_.EndAttempt(d, DeliveryState::kDead, std::string(doc.status().message()), now, now)
              .status());
      continue;
    }
    Part& p = parts[doc->period];
    p.rows.push_back({doc->id,
                      {doc->id, absl::StrCat(doc->type), doc->number, doc->issue_date, doc->period,
                       doc->participant_id, doc->contract_number, doc->customer_bin,
                       doc->related_document_number, absl::StrCat(doc->amount_tiyn),
                       absl::StrCat(doc->vat_tiyn), absl::StrCat(doc->total_tiyn)}});
    p.from = p.from == 0 ? d.id : std::min(p.from, d.id);
    p.to = std::max(p.to, d.id);
    p.deliveries.push_back(&d);
  }
  int exported = 0;
  for (auto& [period, p] : parts) {
    std::sort(p.rows.begin(), p.rows.end());
    DwhPartition part;
    part.table = "documents";
    part.partition = absl::StrCat("date=", absl::FormatCivilTime(day), "/period=", period);
    part.columns = {"document_id",    "type",           "number",          "issue_date",
                    "period",         "participant_id", "contract_number", "customer_bin",
                    "related_number", "amount_tiyn",    "vat_tiyn",        "total_tiyn"};
    for (auto& [id, row] : p.rows) part.rows.push_back(std::move(row));
    part.cursor_from = absl::StrCat(p.from);
    part.cursor_to = absl::StrCat(p.to);
    ASSIGN_OR_RETURN(DwhWritten w, ExportPartition(schedule_.dir, part));
    for (const Delivery* d : p.deliveries) {
      RETURN_IF_ERROR(store_.EndAttempt(*d, DeliveryState::kDelivered, w.path, now, now).status());
    }
    exported += static_cast<int>(w.rows);
  }
  return exported;
}

}  // namespace gridbill::integrations
