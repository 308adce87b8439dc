// The reports: their definitions (columns with what each holds), the check
// of a run's parameters, and the tables built from the read model's
// aggregates. Pure: the store computes the aggregates, nothing here reads
// a database or speaks gRPC.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "gridbill/base/caller.h"
#include "model.h"

namespace gridbill::reporting {

enum class ColumnType {
  kText = 1,
  kInteger,
  kEnergyWh,
  kMoneyTiyn,
  kPercent,
  kPeriod,
  kDate,
  kDecimal
};

struct Column {
  std::string name;
  std::string label_en;
  std::string label_ru;
  ColumnType type = ColumnType::kText;
  std::string definition;
};

struct ReportDef {
  std::string code;
  std::string title_en;
  std::string title_ru;
  std::string description;
  // Names of the ReportParameters fields the report takes.
  std::vector<std::string> parameters;
  std::vector<Column> columns;
  bool participant_may_run = false;
};

// Every report the service runs, by code.
const std::vector<ReportDef>& Catalog();
// nullptr for an unknown code.
const ReportDef* FindReport(const std::string& code);

enum class Language { kEn = 1, kRu = 2 };

// The parameters as the request gave them (unset: nullopt / "" / 0).
struct Params {
  std::optional<absl::CivilMonth> period_from;
  std::optional<absl::CivilMonth> period_to;
  std::string region_code;
  std::string participant_id;
  int service_type = 0;
  // The language of the cells that are words (R7's descriptions).
  Language language = Language::kEn;
};

// A run's checked parameters: both periods set, the participant limited for
// a participant's user.
struct Query {
  const ReportDef* report = nullptr;
  absl::CivilMonth from;
  absl::CivilMonth to;
  std::string region_code;
  std::string participant_id;
  int service_type = 0;
  Language language = Language::kEn;
};

// INVALID_ARGUMENT naming the parameter ("report", "parameters.period_to",
// ...) for an unknown report, a period end before its start, a range longer
// than 10 years, a parameter the report does not take, an unknown service;
// PERMISSION_DENIED for a report a participant's user may not run or a
// participant's user naming another participant.
absl::StatusOr<Query> CheckQuery(const std::string& code, const Params& params,
                                 const Caller& caller);

// A report's answer: the rows' cells in column order.
struct Table {
  const ReportDef* report = nullptr;
  std::vector<std::vector<std::string>> rows;
};

// R2 from the months [q.from - 12, q.to] (the year before gives the change).
Table BuildR2(const Query& q, const std::vector<ServiceMonth>& months);
// R3 from the receivables of each participant.
Table BuildR3(const Query& q, const std::vector<Receivables>& rows);
// R7, the reconciliation act: the opening balance, each document and
// payment with the running balance, the closing balance.
Table BuildR7(const Query& q, int64_t opening, const std::vector<ActLine>& lines);
// R8 from the documents and payments of the months [q.from, q.to].
Table BuildR8(const Query& q, const std::vector<PeriodDocuments>& documents,
              const std::vector<PeriodPayments>& payments);

// The label of a column / title of a report in `language`.
const std::string& Label(const Column& c, Language language);
const std::string& Title(const ReportDef& r, Language language);

// "R2-2026-01-2026-12": the stem of an export's file name.
std::string FileStem(const Query& q);

// Where an export's bytes go: a piece of the file and the rows written so far.
using Sink = std::function<absl::Status(std::string_view, int64_t)>;
// An export's rows one at a time: the next row, or nullptr after the last
// (lets a writer stream rows it never holds all at once).
using RowSource = std::function<const std::vector<std::string>*()>;
// The rows of `table` in order.
RowSource RowsOf(const Table& table);

// The CSV export of a report's rows: UTF-8, a header of labels, RFC 4180
// quoting (libs/base csv.h), LF line ends, cells as in the table. Calls
// `sink` with pieces of about `chunk_bytes`; stops and returns the sink's
// error.
absl::Status WriteCsv(const ReportDef& report, const RowSource& rows, Language language,
                      size_t chunk_bytes, const Sink& sink);
inline absl::Status WriteCsv(const Table& table, Language language, size_t chunk_bytes,
                             const Sink& sink) {
  return WriteCsv(*table.report, RowsOf(table), language, chunk_bytes, sink);
}

}  // namespace gridbill::reporting
