// The accrual engine: volume × tariff in force, split by tariff validity
// inside the month, VAT per line at the rate of the turnover date, and the
// difference lines of corrections. Pure: no storage, no RPC.
//
// Splitting a month's volume between tariffs: when the volume source knows
// the volume of each part (balance keeps hourly results), each part is
// billed with its own volume. Otherwise the monthly volume is split pro rata
// by the hours of each part in the operator's zone (so 2024-02 in
// Asia/Almaty counts 697 hours, not 29 × 24), with cumulative half-up
// rounding to the Wh: part i gets round(V × H(1..i) / H) − round(V × H(1..i−1) / H),
// so the parts always add up to V exactly.
//
// Corrections: what was charged for (contract, period) so far — the original
// lines and every earlier note — is netted per key (tariff, price, days);
// the recomputed lines are compared key by key. Same key: one difference
// line whose amount is charge(new volume) − net amount and whose VAT is
// VAT(new amount) − net VAT; a key that disappears is reversed exactly (its
// net volume, amount and VAT); a new key is charged in full. Negative
// differences go to a credit note, positive ones to a debit note. Because a
// new amount and its VAT are never negative, a credit never exceeds what
// was charged under its key.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "gridbill/domain/decimal.h"
#include "model.h"

namespace gridbill::invoicing {

// Dated VAT rates: the rate of a turnover date is the one with the latest
// valid_from not after it.
class VatTable {
 public:
  // Rates sorted by date; empty or duplicate dates are INVALID_ARGUMENT.
  static absl::StatusOr<VatTable> Make(std::vector<VatRate> rates);
  // FAILED_PRECONDITION "vat_rate: ..." when no rate covers the date.
  absl::StatusOr<Decimal> RateOn(absl::CivilDay turnover_date) const;
  const std::vector<VatRate>& rates() const { return rates_; }

 private:
  std::vector<VatRate> rates_;
};

// One tariff's validity inside a billing month.
struct TariffPart {
  std::string tariff_id;
  int64_t tariff_version = 0;
  Decimal price_per_kwh;
  absl::CivilDay from_date;
  absl::CivilDay to_date;
  int hours = 0;  // hours of [from_date, to_date] in the operator's zone
};

// The volume billed for one contract and period.
struct VolumeInput {
  int64_t total_wh = 0;
  // The volume of each tariff part, when the source knows it (same order
  // and size as the parts; must add up to total_wh).
  std::optional<std::vector<int64_t>> part_wh;
  Completeness completeness;
  std::string balance_run_id;
  BalanceRunType balance_run_type = BalanceRunType::kFinal;
};

// Splits `total` over parts pro rata by `hours` (cumulative half-up rounding).
// Hours must be positive.
std::vector<int64_t> SplitByHours(int64_t total, std::span<const int> hours);

// The charge of one line: amount = ChargeFor(price, volume), VAT per line,
// total = amount + VAT.
void PriceLine(Line& line, Decimal vat_rate_percent);

// The lines of a regular document: one per tariff part (parts with no
// volume are kept out unless every part is empty). The parts must cover the
// whole period without gaps (FAILED_PRECONDITION "tariff: ..." names the
// first uncovered day). Volumes must be >= 0 (INVALID_ARGUMENT "volume_wh").
absl::StatusOr<std::vector<Line>> AccrualLines(Service service, const BillingPeriod& period,
                                               std::span<const TariffPart> parts,
                                               const VolumeInput& volume, Decimal vat_rate_percent);
// The same for the days `from`..`to` of a contract valid for only part of
// the month: the parts must tile exactly those days.
absl::StatusOr<std::vector<Line>> AccrualLines(Service service, absl::CivilDay from,
                                               absl::CivilDay to, std::span<const TariffPart> parts,
                                               const VolumeInput& volume, Decimal vat_rate_percent);

// The tariff parts of a month cut to the days `from`..`to` (parts outside
// are dropped; `hours` of a cut part must be recounted by the caller, who
// knows the zone).
std::vector<TariffPart> ClipParts(std::span<const TariffPart> parts, absl::CivilDay from,
                                  absl::CivilDay to);

// Sets the document's totals to the sums of its lines and numbers the lines.
void SumLines(Document& doc);

// The difference between what was charged (`charged`: lines of the original
// and of every earlier note, signed) and the recomputed `lines`.
struct Correction {
  std::vector<Line> credit;  // negative lines
  std::vector<Line> debit;   // positive lines
  bool empty() const { return credit.empty() && debit.empty(); }
};
Correction DiffLines(std::span<const Line> charged, std::span<const Line> recomputed,
                     Decimal vat_rate_percent);

// "01.03.2026" (the documents' date format).
std::string FormatDayRu(absl::CivilDay d);

}  // namespace gridbill::invoicing
