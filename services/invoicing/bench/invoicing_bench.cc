// The invoice-run benchmark: a regular run over N synthetic contracts
// (default 100,000; three documents each, persisted in a real PostgreSQL
// started by libs/pgtest), in issue batches of 200, next to a baseline
// measured in the same run: the same work issued one contract per
// transaction. Then PDF renderings per second (render + store), next to the
// rendering alone and the ESF XML rendering. Prints figures; never fails
// on a time.
//
//   gridbill_invoicing_bench [--contracts=100000] [--baseline_contracts=5000] [--pdfs=300]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "esf.h"
#include "gridbill/base/sha256.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pgtest/pgtest.h"
#include "invoice_runs.h"
#include "pdf.h"
#include "pg_store.h"

namespace gridbill::invoicing {
namespace {

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1775100000); }  // 2026-04-02
};

// N contracts of N participants, transmission, with a tariff change on the 15th.
class SyntheticDirectory final : public ContractDirectory {
 public:
  explicit SyntheticDirectory(int n) : n_(n) {}
  absl::StatusOr<std::vector<ContractInfo>> BillableContracts(const BillingPeriod&) override {
    std::vector<ContractInfo> out;
    out.reserve(static_cast<size_t>(n_));
    for (int i = 0; i < n_; ++i) {
      ContractInfo c;
      c.id = absl::StrFormat("c-%07d", i);
      c.number = absl::StrFormat("TR-%07d", i);
      c.participant_id = absl::StrFormat("p-%07d", i);
      c.service = Service::kTransmission;
      c.signed_on = absl::CivilDay(2024, 12, 20);
      c.valid_from = absl::CivilDay(2025, 1, 1);
      out.push_back(std::move(c));
    }
    return out;
  }
  absl::StatusOr<ContractInfo> ContractByNumber(const std::string& number) override {
    return absl::NotFoundError(number);
  }
  absl::StatusOr<Customer> Participant(const std::string& id) override {
    return Customer{id,
                    "990740000683",
                    absl::StrCat("ТОО «Қазақ Энерго ", id, "»"),
                    "Алматы қ., Әуезов к-сі, 1",
                    "",
                    "",
                    ""};
  }
  absl::StatusOr<std::vector<TariffPart>> TariffParts(Service, const BillingPeriod&) override {
    return std::vector<TariffPart>{{"t-1", 1, *Decimal::Parse("3.004"), absl::CivilDay(2026, 3, 1),
                                    absl::CivilDay(2026, 3, 15), 360},
                                   {"t-2", 1, *Decimal::Parse("3.134"), absl::CivilDay(2026, 3, 16),
                                    absl::CivilDay(2026, 3, 31), 384}};
  }

 private:
  int n_;
};

class SyntheticVolumes final : public VolumeSource {
 public:
  explicit SyntheticVolumes(int n) : n_(n) {}
  absl::StatusOr<BalanceRunInfo> BillingRun(const BillingPeriod&, const std::string&) override {
    return BalanceRunInfo{"bal-bench", BalanceRunType::kFinal};
  }
  absl::StatusOr<std::vector<VolumeRecord>> Volumes(const std::string&) override {
    std::mt19937_64 rng(42);
    std::vector<VolumeRecord> out;
    for (int i = 0; i < n_; ++i) {
      out.push_back(VolumeRecord{absl::StrFormat("p-%07d", i), Service::kTransmission,
                                 static_cast<int64_t>(1'000'000 + rng() % 10'000'000'000ULL),
                                 Completeness{}});
    }
    return out;
  }
  absl::StatusOr<std::optional<std::vector<int64_t>>> SplitVolume(
      const std::string&, const std::string&, Service, const std::vector<TimeRange>&) override {
    return std::optional<std::vector<int64_t>>();
  }

 private:
  int n_;
};

Seller BenchSeller() {
  Seller s;
  s.bin = "970740000838";
  s.name = "АО «KEGOC»";
  s.address = "г. Астана, пр. Тәуелсіздік, 59";
  s.signatory_name = "Әлия Қасымова";
  return s;
}

int Flag(int argc, char** argv, const char* name, int fallback) {
  const std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    if (absl::StartsWith(argv[i], prefix)) {
      int v = 0;
      if (absl::SimpleAtoi(std::string(argv[i]).substr(prefix.size()), &v) && v > 0) return v;
      std::fprintf(stderr, "invoicing_bench: bad %s\n", argv[i]);
      std::exit(2);
    }
  }
  return fallback;
}

struct RunFigures {
  int64_t documents = 0;
  double seconds = 0;
};

RunFigures TimeRun(int contracts, int batch) {
  pgtest::Database db(GRIDBILL_INVOICING_MIGRATIONS_DIR, 4);
  PgStore store(db.pool());
  SyntheticDirectory directory(contracts);
  SyntheticVolumes volumes(contracts);
  FixedClock clock;
  RunOptions options;
  options.batch = batch;
  options.render_pdfs = false;
  absl::TimeZone zone;
  absl::LoadTimeZone("Asia/Almaty", &zone);
  InvoiceRuns runs(store, directory, &volumes, clock, zone, options, BenchSeller(),
                   kDefaultFontPath);
  auto run = runs.Start(*BillingPeriod::Make(2026, 3), RunType::kRegular, "", "bench");
  if (!run.ok()) {
    std::fprintf(stderr, "invoicing_bench: %s\n", run.status().ToString().c_str());
    std::exit(1);
  }
  const absl::Time start = absl::Now();
  absl::Status st = runs.Execute("bench");
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  auto done = runs.Get("bench");
  if (!st.ok() || !done.ok() || done->state != JobState::kSucceeded) {
    std::fprintf(stderr, "invoicing_bench: run failed: %s %s\n", st.ToString().c_str(),
                 done.ok() ? done->error.c_str() : "");
    std::exit(1);
  }
  return RunFigures{done->documents_issued, seconds};
}

// CPU time of the calling thread: steadier than wall time when other work
// shares the machine.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Main(int argc, char** argv) {
  const int contracts = Flag(argc, argv, "contracts", 100000);
  const int baseline_contracts = Flag(argc, argv, "baseline_contracts", 5000);
  const int pdfs = Flag(argc, argv, "pdfs", 300);

  std::printf("invoice run: %d synthetic contracts, 3 documents each, 2 lines each\n", contracts);
  const RunFigures batched = TimeRun(contracts, 200);
  const RunFigures single = TimeRun(baseline_contracts, 1);
  const double rate = static_cast<double>(batched.documents) / batched.seconds;
  const double base = static_cast<double>(single.documents) / single.seconds;
  std::printf("  issued (batches of 200):         %8lld documents in %7.2f s = %9.0f documents/s\n",
              static_cast<long long>(batched.documents), batched.seconds, rate);
  std::printf("  baseline (1 contract per tx):    %8lld documents in %7.2f s = %9.0f documents/s\n",
              static_cast<long long>(single.documents), single.seconds, base);
  std::printf("  ratio batched / baseline:        %.2f   target >= 1000 documents/s: %s\n",
              rate / base, rate >= 1000 ? "met" : "NOT met");

  // PDF renderings: render + store, render alone, and the ESF XML for reference.
  pgtest::Database db(GRIDBILL_INVOICING_MIGRATIONS_DIR, 4);
  PgStore store(db.pool());
  SyntheticDirectory directory(pdfs);
  SyntheticVolumes volumes(pdfs);
  FixedClock clock;
  RunOptions options;
  options.render_pdfs = false;
  absl::TimeZone zone;
  absl::LoadTimeZone("Asia/Almaty", &zone);
  InvoiceRuns runs(store, directory, &volumes, clock, zone, options, BenchSeller(),
                   kDefaultFontPath);
  (void)runs.Start(*BillingPeriod::Make(2026, 3), RunType::kRegular, "", "pdf");
  (void)runs.Execute("pdf");
  DocumentFilter filter;
  filter.type = DocType::kInvoice;
  paging::Page page;
  page.size = pdfs;
  auto listed = store.ListDocuments(filter, page);
  const std::vector<Document>* docs = listed.ok() ? &listed->items : nullptr;
  if (docs == nullptr || docs->empty()) {
    std::fprintf(stderr, "invoicing_bench: no documents to render\n");
    return 1;
  }
  size_t bytes = 0;
  std::string first_sha256;
  absl::Time start = absl::Now();
  for (const Document& d : *docs) {
    auto pdf = RenderPdf(d, BenchSeller());
    if (!pdf.ok()) {
      std::fprintf(stderr, "invoicing_bench: %s\n", pdf.status().ToString().c_str());
      return 1;
    }
    bytes += pdf->size();
    const std::string sha256 = Sha256Hex(*pdf);
    if (first_sha256.empty()) first_sha256 = sha256;
    if (!store.PutPdf(d.id, StoredPdf{*pdf, sha256}).ok()) return 1;
  }
  const double stored_s = absl::ToDoubleSeconds(absl::Now() - start);
  start = absl::Now();
  const double cpu_start = ThreadCpuSeconds();
  for (const Document& d : *docs) (void)RenderPdf(d, BenchSeller());
  const double render_s = absl::ToDoubleSeconds(absl::Now() - start);
  const double render_cpu_s = ThreadCpuSeconds() - cpu_start;
  start = absl::Now();
  for (Document d : *docs) {
    d.type = DocType::kEsf;
    (void)RenderEsfXml(d, BenchSeller());
  }
  const double xml_s = absl::ToDoubleSeconds(absl::Now() - start);
  const double n = static_cast<double>(docs->size());
  std::printf("PDF renderings: %zu invoices, %zu bytes on average (DejaVu Sans embedded)\n",
              docs->size(), bytes / docs->size());
  std::printf("  rendered + SHA-256 + stored:     %9.1f PDFs/s\n", n / stored_s);
  std::printf("  rendered only:                   %9.1f PDFs/s (%.1f ms CPU per PDF)\n",
              n / render_s, 1000 * render_cpu_s / n);
  std::printf("  ESF XML rendered (reference):    %9.0f documents/s\n", n / xml_s);
  // The same synthetic data renders to the same bytes in every run.
  std::printf("  SHA-256 of the first PDF:        %s\n", first_sha256.c_str());
  return 0;
}

}  // namespace
}  // namespace gridbill::invoicing

int main(int argc, char** argv) { return gridbill::invoicing::Main(argc, argv); }
