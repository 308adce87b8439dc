// A suite for the pure tests: documents in a change feed, PDFs, and the
// calls the inbound adapters made.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/base/sha256.h"
#include "suite.h"

namespace gridbill::integrations {

class FakeSuite final : public Suite {
 public:
  std::vector<DocumentFact> documents;                               // the feed, in change order
  std::vector<std::pair<std::string, std::string>> payment_imports;  // request id, csv
  std::vector<std::string> metering_imports;                         // request ids
  absl::Status payments_error;  // what ImportPayments answers when set
  bool import_succeeds = true;

  absl::StatusOr<DocumentChanges> DocumentsChangedAfter(const std::string& cursor,
                                                        int limit) override {
    size_t from = cursor.empty() ? 0 : static_cast<size_t>(std::stoi(cursor));
    DocumentChanges out;
    for (size_t i = from; i < documents.size() && static_cast<int>(out.documents.size()) < limit;
         ++i) {
      out.documents.push_back(documents[i]);
    }
    out.cursor = absl::StrCat(from + out.documents.size());
    return out;
  }
  absl::StatusOr<std::string> DocumentPdf(const std::string& id, std::string* sha256) override {
    const std::string pdf = absl::StrCat("%PDF-1.4 ", id);
    *sha256 = Sha256Hex(pdf);
    return pdf;
  }
  absl::StatusOr<std::string> DocumentXml(const std::string& id) override {
    std::string bin, type = "ORDINARY_INVOICE";
    for (const DocumentFact& d : documents) {
      if (d.id != id) continue;
      bin = d.customer_bin;
      if (!d.related_document_id.empty()) type = "ADDITIONAL_INVOICE";
    }
    return absl::StrCat("<invoice id=\"", id, "\"><invoiceType>", type,
                        "</invoiceType><customer tin=\"", bin, "\"/></invoice>");
  }
  absl::StatusOr<PaymentsOutcome> ImportPayments(const std::string& request_id,
                                                 const std::string& csv) override {
    if (!payments_error.ok()) return payments_error;
    payment_imports.emplace_back(request_id, csv);
    return PaymentsOutcome{1, 0};
  }
  absl::StatusOr<std::string> StartMeteringImport(const std::string& request_id, const std::string&,
                                                  const std::string&, bool, int) override {
    metering_imports.push_back(request_id);
    return absl::StrCat("job-", metering_imports.size());
  }
  absl::StatusOr<ImportOutcome> MeteringImport(const std::string&) override {
    return ImportOutcome{true, import_succeeds,
                         import_succeeds ? "96 readings stored" : "line 3: unknown point X"};
  }
  // What the problem watch reads (problems.h); an error status when set.
  std::vector<RunFact> balance_runs;
  std::vector<ApplicationFact> overdue;
  absl::Status runs_error;
  absl::StatusOr<std::vector<RunFact>> RecentRuns(const std::string& service, int) override {
    if (service != "balance") return absl::UnimplementedError("not read");
    if (!runs_error.ok()) return runs_error;
    return balance_runs;
  }
  absl::StatusOr<std::vector<ApplicationFact>> OverdueApplications(int) override { return overdue; }
  std::vector<std::pair<std::string, std::vector<ScadaValue>>> scada_batches;
  absl::Status scada_error;
  absl::Status IngestScada(const std::string& request_id,
                           const std::vector<ScadaValue>& values) override {
    if (!scada_error.ok()) return scada_error;
    scada_batches.emplace_back(request_id, values);
    return absl::OkStatus();
  }
  // The warehouse's sources (dwh.h): balance runs and payments in feed
  // order (the cursor is the position), two hours and one node per run,
  // one point-day per point and day.
  std::vector<RunFact> run_feed;
  std::vector<PaymentFact> payment_feed;
  std::vector<std::string> points = {"PT-2", "PT-1"};
  absl::Status nodes_error;
  template <typename T>
  static std::pair<std::vector<T>, std::string> FeedPage(const std::vector<T>& feed,
                                                         const std::string& cursor, int limit) {
    const size_t from = cursor.empty() ? 0 : static_cast<size_t>(std::stoi(cursor));
    std::vector<T> out;
    for (size_t i = from; i < feed.size() && static_cast<int>(out.size()) < limit; ++i) {
      out.push_back(feed[i]);
    }
    return {out, absl::StrCat(from + out.size())};
  }
  absl::StatusOr<RunChanges> BalanceRunsChangedAfter(const std::string& cursor,
                                                     int limit) override {
    auto [runs, next] = FeedPage(run_feed, cursor, limit);
    return RunChanges{runs, next};
  }
  absl::StatusOr<std::vector<ServiceHourFact>> ServiceHours(const std::string& run_id) override {
    std::vector<ServiceHourFact> out(2);
    for (int h = 0; h < 2; ++h) {
      out[h].participant_id = "P-1";
      out[h].service = "transmission";
      out[h].hour_start = absl::FromUnixSeconds(1790000000 + 3600 * (1 - h));
      out[h].actual_wh = 1000 * (h + 1) + static_cast<int64_t>(run_id.size());
      out[h].intervals = 4;
    }
    return out;
  }
  absl::StatusOr<std::vector<NodeTotalFact>> NodeTotals(const std::string&) override {
    if (!nodes_error.ok()) return nodes_error;
    NodeTotalFact n;
    n.node_code = "N-1";
    n.kind = "node";
    n.inflow_wh = 1000;
    n.outflow_wh = 990;
    n.losses_wh = 10;
    n.losses_percent = "1.0000";
    n.normative_loss_percent = "2.5";
    return std::vector<NodeTotalFact>{n};
  }
  absl::StatusOr<PaymentChanges> PaymentsChangedAfter(const std::string& cursor,
                                                      int limit) override {
    auto [payments, next] = FeedPage(payment_feed, cursor, limit);
    return PaymentChanges{payments, next};
  }
  absl::StatusOr<std::vector<std::string>> MeteringPointCodes() override { return points; }
  absl::StatusOr<std::vector<PointDayQuality>> PointDays(const std::vector<std::string>& codes,
                                                         absl::CivilDay from, absl::CivilDay to,
                                                         absl::Time) override {
    std::vector<PointDayQuality> out;
    for (const std::string& p : codes) {
      for (absl::CivilDay d = from; d <= to; ++d) {
        PointDayQuality q;
        q.point_code = p;
        q.channel = "active_received";
        q.day = absl::FormatCivilTime(d);
        q.revision = 1;
        q.intervals = 24;
        q.measured = 23;
        q.missing = 1;
        out.push_back(q);
      }
    }
    return out;
  }

  // invoicing's invoice runs (erp.h) in feed order; a run's documents are
  // those of `documents` with its id; the period's accruals export has one
  // row per line of every receivable document of `documents` (each line
  // an equal share, the last one the rest), whatever its run.
  std::vector<RunFact> invoice_run_feed;
  absl::StatusOr<RunChanges> InvoiceRunsChangedAfter(const std::string& cursor,
                                                     int limit) override {
    auto [runs, next] = FeedPage(invoice_run_feed, cursor, limit);
    return RunChanges{runs, next};
  }
  absl::StatusOr<std::vector<DocumentFact>> RunDocuments(const std::string& run_id) override {
    std::vector<DocumentFact> out;
    for (const DocumentFact& d : documents) {
      if (d.invoice_run_id == run_id) out.push_back(d);
    }
    return out;
  }
  absl::StatusOr<ExportedFile> ExportAccruals(const std::string& period) override {
    ExportedFile f;
    f.file_name = absl::StrCat("invoicing-", period, "-accruals.csv");
    f.content = "document_number,document_type,line_no,amount_tiyn,vat_tiyn,total_tiyn\n";
    for (const DocumentFact& d : documents) {
      if (d.period != period || (d.type != 1 && d.type != 4 && d.type != 5)) continue;
      for (int l = 1; l <= d.lines; ++l) {
        auto share = [&](int64_t v) {
          return l < d.lines ? v / d.lines : v - (d.lines - 1) * (v / d.lines);
        };
        f.content += absl::StrCat(d.number, ",", d.type, ",", l, ",", share(d.amount_tiyn), ",",
                                  share(d.vat_tiyn), ",", share(d.total_tiyn), "\n");
        ++f.records;
      }
    }
    f.sha256 = Sha256Hex(f.content);
    return f;
  }
};

inline DocumentFact Doc(int n, int type = 1) {
  DocumentFact d;
  d.id = absl::StrCat("doc-", n);
  d.type = type;
  d.number = absl::StrCat("INV-2026-", n);
  d.issue_date = "2026-11-01";
  d.period = "2026-10";
  d.participant_id = "P-1";
  d.contract_number = "TR-0042";
  d.customer_bin = "040340001237";
  d.customer_name = "ТОО \"Энергосбыт\", Алматы";
  d.lines = 1;
  d.amount_tiyn = 100000 * n;
  d.vat_tiyn = 16000 * n;
  d.total_tiyn = 116000 * n;
  return d;
}

}  // namespace gridbill::integrations
