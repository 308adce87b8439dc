// Measures the storage path (hidden from ctest: run with
// `metering_pgtest "[bench]"`): point-days written through binary COPY vs
// text COPY, and readings through the gRPC stream. The full-size benchmark
// against the real binary is services/metering/bench.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

constexpr int kPoints = 200;
constexpr int kDays = 31;  // 2024-01

std::vector<DayRow> MakeDays(int revision) {
  std::vector<DayRow> rows;
  for (int p = 1; p <= kPoints; ++p) {
    for (int d = 0; d < kDays; ++d) {
      DayRow r;
      r.key = DayKey{p, Channel::kActiveReceived, absl::CivilDay(2024, 1, 1) + d};
      r.revision = revision;
      for (int i = 0; i < 96; ++i) r.values.push_back(100000 + p * 7 + i * 13);
      r.quality.assign(96, 1);
      r.findings.assign(96, 0);
      r.source = Source::kScada;
      r.actor = "bench";
      r.created_at = absl::Now();
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

double WriteRate(WriteMethod method) {
  Harness h(method);
  std::vector<DayRow> rows = MakeDays(1);
  const absl::Time start = absl::Now();
  for (size_t i = 0; i < rows.size(); i += 1000) {
    absl::Span<const DayRow> chunk(rows.data() + i, std::min<size_t>(1000, rows.size() - i));
    absl::Status st = h.store.WriteDays(chunk);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  return static_cast<double>(rows.size()) * 96 / secs;
}

TEST_CASE("storage write rate: binary COPY vs text COPY", "[.][bench]") {
  const double binary = WriteRate(WriteMethod::kCopyBinary);
  const double text = WriteRate(WriteMethod::kCopyText);
  std::printf(
      "store.WriteDays %d point-days x 96: binary COPY %.0f values/s, text COPY %.0f values/s, "
      "ratio %.2f\n",
      kPoints * kDays, binary, text, binary / text);
}

TEST_CASE("ingest rate through the gRPC stream (validation on)", "[.][bench]") {
  Harness h;
  for (int p = 0; p < kPoints; ++p) h.CreatePoint(absl::StrCat("B-", p), v1::RESOLUTION_PT15M);
  std::vector<std::vector<v1::Reading>> batches;
  int64_t n = 0;
  for (int d = 0; d < kDays; ++d) {
    std::vector<v1::Reading> batch;
    const absl::Time day = StartOfDay(absl::CivilDay(2024, 1, 1) + d, Almaty());
    for (int p = 0; p < kPoints; ++p) {
      for (int i = 0; i < 96; ++i) {
        batch.push_back(R(absl::StrCat("B-", p), day + i * absl::Minutes(15), 1000 + i));
      }
    }
    n += static_cast<int64_t>(batch.size());
    batches.push_back(std::move(batch));
  }
  v1::IngestSummary s;
  absl::Time start = absl::Now();
  REQUIRE_OK(h.Ingest(batches, &s));
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  REQUIRE(s.accepted() == n);
  std::printf("IngestReadings first send: %lld readings in %.2fs = %.0f readings/s\n",
              static_cast<long long>(n), secs, static_cast<double>(n) / secs);
  start = absl::Now();
  REQUIRE_OK(h.Ingest(batches, &s));
  secs = absl::ToDoubleSeconds(absl::Now() - start);
  REQUIRE(s.unchanged() == n);
  std::printf("IngestReadings identical re-send: %.0f readings/s\n", static_cast<double>(n) / secs);
}

}  // namespace
}  // namespace gridbill::metering::testing
