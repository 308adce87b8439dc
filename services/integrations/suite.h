// What the adapters need from the suite, in plain types. grpc_suite.h
// implements it through the gateway with an API key of role integration
// client, as any third party would; tests use fakes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "scada_protocol.h"

namespace gridbill::integrations {

// An issued document as the outbound adapters deliver it.
struct DocumentFact {
  std::string id;
  int type = 0;  // invoicing's DocumentType: 1 invoice, 2 act, 3 ESF, 4 credit, 5 debit note
  std::string number;
  std::string issue_date;  // YYYY-MM-DD
  std::string period;      // YYYY-MM
  std::string participant_id;
  std::string contract_number;
  std::string customer_bin;
  std::string customer_name;
  std::string related_document_id;
  std::string related_document_number;
  int lines = 0;
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;
  std::string pdf_sha256;
  std::string invoice_run_id;  // the run that issued it (payloads stored before: empty)

  // One line of tab-separated fields (the outbox payload) and back.
  std::string Encode() const;
  static absl::StatusOr<DocumentFact> Decode(absl::string_view payload);
};

struct DocumentChanges {
  std::vector<DocumentFact> documents;
  std::string cursor;  // to pass next
};

struct ImportOutcome {
  bool done = false;  // false: still running
  bool succeeded = false;
  std::string summary;  // or the error when it failed
};

struct PaymentsOutcome {
  int64_t created = 0;
  int64_t already_present = 0;
};

// A balance or invoice run as the problem watch (problems.h) sees it.
struct RunFact {
  std::string id;
  std::string service;  // "balance" or "invoicing"
  std::string period;   // YYYY-MM
  std::string type;     // the run type's name, e.g. "final"
  int state = 0;        // common JobState: 1 pending, 2 running, 3 succeeded, 4 failed, 5 cancelled
  int64_t done = 0;
  int64_t total = 0;
  std::string error;
  int64_t documents = 0;  // invoice runs: the documents issued
  // Balance runs: the readings' as-of instant and the zone the period is cut in.
  absl::Time readings_as_of = absl::InfinitePast();
  std::string time_zone;
};

struct RunChanges {
  std::vector<RunFact> runs;
  std::string cursor;  // to pass next
};

// invoicing's ErpExportService answer: a file and what invoicing says of it.
struct ExportedFile {
  std::string content;
  std::string sha256;  // invoicing's, of content
  int64_t records = 0;
  std::string file_name;
};

// What the warehouse export (dwh.h) reads: balance's hourly results per
// participant x service, its node totals, payments, and readings quality by
// point-day. Enum values are their proto names without the prefix, lower
// case ("transmission", "active_received").
struct ServiceHourFact {
  std::string participant_id;
  std::string service;
  absl::Time hour_start;
  int64_t actual_wh = 0;
  int64_t declared_wh = 0;
  int64_t imbalance_wh = 0;
  bool has_declaration = false;
  int64_t intervals = 0, estimated = 0, missing = 0;
};

struct NodeTotalFact {
  std::string node_code;
  std::string kind;  // "node" or "region"
  int64_t inflow_wh = 0;
  int64_t outflow_wh = 0;
  int64_t losses_wh = 0;
  std::string losses_percent;
  std::string normative_loss_percent;
  bool above_normative = false;
  int64_t intervals = 0, estimated = 0, missing = 0;
};

struct PaymentFact {
  std::string id;
  std::string reference;
  std::string value_date;  // YYYY-MM-DD
  std::string payer_bin;
  std::string participant_id;
  std::string contract_number;
  int64_t amount_tiyn = 0;
  int64_t unallocated_tiyn = 0;
};

struct PaymentChanges {
  std::vector<PaymentFact> payments;
  std::string cursor;  // to pass next
};

// One point, channel and local day: its revision and intervals by quality.
struct PointDayQuality {
  std::string point_code;
  std::string channel;
  std::string day;  // YYYY-MM-DD
  int revision = 0;
  int64_t intervals = 0, measured = 0, estimated = 0, substituted = 0, edited = 0, missing = 0;
};

// An application past its answer deadline.
struct ApplicationFact {
  std::string id;
  std::string number;
  std::string participant_id;
  std::string due;  // YYYY-MM-DD
};

class Suite {
 public:
  virtual ~Suite() = default;
  // invoicing ListDocuments' change feed (ChangesAfter).
  virtual absl::StatusOr<DocumentChanges> DocumentsChangedAfter(const std::string& cursor,
                                                                int limit) = 0;
  // The stored PDF of a document and its SHA-256 (hex).
  virtual absl::StatusOr<std::string> DocumentPdf(const std::string& id, std::string* sha256) = 0;
  // The ESF XML of an ESF document.
  virtual absl::StatusOr<std::string> DocumentXml(const std::string& id) = 0;
  // invoicing ImportPayments (idempotent by request id and payment reference).
  virtual absl::StatusOr<PaymentsOutcome> ImportPayments(const std::string& request_id,
                                                         const std::string& csv) = 0;
  // metering StartImport; returns the import job's id. xml: 80020, else
  // CSV; unit: metering's EnergyUnit of the values (1 Wh, 2 kWh, 3 MWh).
  virtual absl::StatusOr<std::string> StartMeteringImport(const std::string& request_id,
                                                          const std::string& file_name,
                                                          const std::string& content, bool xml,
                                                          int unit) = 0;
  virtual absl::StatusOr<ImportOutcome> MeteringImport(const std::string& job_id) = 0;
  // metering IngestReadings with source SCADA: one batch, stored whole.
  virtual absl::Status IngestScada(const std::string& request_id,
                                   const std::vector<ScadaValue>& values) = 0;
  // The newest runs of `service` ("balance", "invoicing"), newest first.
  virtual absl::StatusOr<std::vector<RunFact>> RecentRuns(const std::string& service, int limit) {
    return absl::UnimplementedError(absl::StrCat(service, " runs are not read"));
  }
  // contracts ListApplications(overdue_only).
  virtual absl::StatusOr<std::vector<ApplicationFact>> OverdueApplications(int limit) {
    return absl::UnimplementedError("applications are not read");
  }
  // invoicing ListInvoiceRuns' change feed.
  virtual absl::StatusOr<RunChanges> InvoiceRunsChangedAfter(const std::string& cursor, int limit) {
    return absl::UnimplementedError("invoice runs are not read");
  }
  // The documents an invoice run issued (ListDocuments by invoice_run_id), every page.
  virtual absl::StatusOr<std::vector<DocumentFact>> RunDocuments(const std::string& run_id) {
    return absl::UnimplementedError("a run's documents are not read");
  }
  // invoicing ErpExportService.ExportPeriod of `period` (YYYY-MM): the
  // accruals (one row per line of the receivable documents) as CSV.
  virtual absl::StatusOr<ExportedFile> ExportAccruals(const std::string& period) {
    return absl::UnimplementedError("ERP exports are not read");
  }
  // balance ListRuns' change feed.
  virtual absl::StatusOr<RunChanges> BalanceRunsChangedAfter(const std::string& cursor, int limit) {
    return absl::UnimplementedError("balance runs are not read");
  }
  // balance StreamServiceHours of a run, by participant, service and hour.
  virtual absl::StatusOr<std::vector<ServiceHourFact>> ServiceHours(const std::string& run_id) {
    return absl::UnimplementedError("service hours are not read");
  }
  // balance ListRunTotals' node and region totals of a run, by code.
  virtual absl::StatusOr<std::vector<NodeTotalFact>> NodeTotals(const std::string& run_id) {
    return absl::UnimplementedError("node totals are not read");
  }
  // invoicing ListPayments' change feed.
  virtual absl::StatusOr<PaymentChanges> PaymentsChangedAfter(const std::string& cursor,
                                                              int limit) {
    return absl::UnimplementedError("payments are not read");
  }
  // Every metering point's code (metering ListMeteringPoints).
  virtual absl::StatusOr<std::vector<std::string>> MeteringPointCodes() {
    return absl::UnimplementedError("metering points are not read");
  }
  // metering StreamPointDays of `points` over [from, to] as stored at `as_of`
  // (InfinitePast: the latest), counted by quality.
  virtual absl::StatusOr<std::vector<PointDayQuality>> PointDays(
      const std::vector<std::string>& points, absl::CivilDay from, absl::CivilDay to,
      absl::Time as_of) {
    return absl::UnimplementedError("point days are not read");
  }
};

}  // namespace gridbill::integrations
