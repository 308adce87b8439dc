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
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "outbox.h"
#include "suite.h"

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

// The nightly incremental export. The document feed gives the "dwh"
// adapter one fact per issued document (like ERP's); nothing sends them one
// by one: once a day, at `at` of the operator's zone (or at the first pass
// after it), every pending "dwh" fact is claimed and written as
// `documents/date=<day>/period=<period>/` partitions, rows sorted by
// document id, cursor range = the first and last delivery id, then the
// facts are marked delivered (receipt: the partition) and the day is stored
// (feed "dwh.nightly"), so a day exports once. A crash before the marks
// leaves the facts pending: the next pass writes the same partitions again,
// the same bytes for the same facts.
inline constexpr char kDwhAdapter[] = "dwh";
inline constexpr char kDwhNightlyFeed[] = "dwh.nightly";

struct DwhSchedule {
  std::string dir;
  absl::Duration at = absl::Hours(2);  // after midnight, the operator's zone
  absl::TimeZone zone = absl::UTCTimeZone();
};

// The facts read from the suite by change cursor (Suite, through the
// gateway with the integration client's key):
//
//   hourly_volumes/period=<p>/run=<run>/   balance StreamServiceHours of
//       each succeeded final or correction run: participant x service x hour
//   node_balances/period=<p>/run=<run>/    balance ListRunTotals' node and
//       region totals of that run
//   readings_quality/period=<p>/run=<run>/ metering StreamPointDays of every
//       point over the run's days, as stored at the run's readings_as_of:
//       point x channel x day, intervals by quality
//   payments/date=<day>/                   invoicing ListPayments' changes
//       (a payment whose allocation changed appears again, on a later day)
//
// A run's partitions carry the runs feed's cursors around that run (read
// one run per call), a payments partition the feed's cursors of the pass;
// a run's results are immutable and read at the run's as-of, so exporting
// the same range again writes the same bytes.
struct DwhCursors {
  std::string runs;      // balance ListRuns' change cursor
  std::string payments;  // invoicing ListPayments' change cursor
};

struct DwhFactsExported {
  DwhCursors to;  // the cursors after what was exported (to store)
  int64_t runs = 0;
  int64_t hourly_rows = 0;
  int64_t node_rows = 0;
  int64_t quality_rows = 0;
  int64_t payment_rows = 0;
};

class DwhFactsExport {
 public:
  DwhFactsExport(Suite& suite, std::string dir) : suite_(suite), dir_(std::move(dir)) {}
  // Writes what changed after `from` (empty cursors: from the start), the
  // payments as of `day`.
  absl::StatusOr<DwhFactsExported> Export(absl::CivilDay day, const DwhCursors& from);

 private:
  absl::Status ExportRun(const RunFact& run, const std::string& cursor_from,
                         const std::string& cursor_to, DwhFactsExported& out);

  Suite& suite_;
  std::string dir_;
};

// The stored cursors of the facts export (feeds of the outbox store).
inline constexpr char kDwhRunsFeed[] = "dwh.runs";
inline constexpr char kDwhPaymentsFeed[] = "dwh.payments";

class DwhNightly {
 public:
  // `suite` null: documents only.
  DwhNightly(OutboxStore& store, const Clock& clock, DwhSchedule schedule, Suite* suite = nullptr)
      : store_(store), clock_(clock), schedule_(std::move(schedule)), suite_(suite) {}
  // Exports when the day's time has come and the day is not exported yet.
  // Returns the rows exported (0: not due).
  absl::StatusOr<int> RunIfDue();
  // Exports every pending document now as of `day`, then the suite's facts
  // after the stored cursors (the schedule's pass, and an operator's re-run).
  absl::StatusOr<int> Export(absl::CivilDay day);

 private:
  absl::StatusOr<int> ExportDocuments(absl::CivilDay day);
  absl::StatusOr<int> ExportFacts(absl::CivilDay day);

  OutboxStore& store_;
  const Clock& clock_;
  DwhSchedule schedule_;
  Suite* suite_;
};

}  // namespace gridbill::integrations
