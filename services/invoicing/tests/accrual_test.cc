// Pure tests of the accrual engine: hand-computed cases (a tariff change
// inside a month, both sides of the 2026 VAT change, a 2025 period
// corrected in 2026, a credit note, a retroactive price change) and a
// property test over a million randomized documents.
#include <cstdlib>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accrual.h"
#include "catch2/catch.hpp"
#include "gridbill/domain/money.h"

namespace gridbill::invoicing {
namespace {

Decimal Dec(const char* s) { return *Decimal::Parse(s); }
absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }
BillingPeriod Period(int y, int m) { return *BillingPeriod::Make(y, m); }

VatTable Kz() {
  return *VatTable::Make({{Day(2009, 1, 1), Dec("12")}, {Day(2026, 1, 1), Dec("16")}});
}

TariffPart Part(const char* id, const char* price, absl::CivilDay from, absl::CivilDay to,
                int hours) {
  return TariffPart{id, 1, Dec(price), from, to, hours};
}

VolumeInput Volume(int64_t wh) {
  VolumeInput v;
  v.total_wh = wh;
  v.balance_run_id = "run-final";
  return v;
}

Document DocOf(std::vector<Line> lines) {
  Document d;
  d.lines = std::move(lines);
  SumLines(d);
  return d;
}

TEST_CASE("VAT rate is the one in force on the turnover date, 12 to 2025 and 16 from 2026") {
  VatTable t = Kz();
  CHECK(*t.RateOn(Period(2025, 12).last_day()) == Dec("12"));
  CHECK(*t.RateOn(Period(2026, 1).last_day()) == Dec("16"));
  CHECK(*t.RateOn(Day(2025, 12, 31)) == Dec("12"));
  CHECK(*t.RateOn(Day(2026, 1, 1)) == Dec("16"));
  auto none = t.RateOn(Day(2008, 12, 31));
  REQUIRE(none.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(none.status().message(), "vat_rate"));
  CHECK(!VatTable::Make({}).ok());
  CHECK(!VatTable::Make({{Day(2026, 1, 1), Dec("16")}, {Day(2026, 1, 1), Dec("12")}}).ok());
}

TEST_CASE("a tariff change inside March 2026 splits the volume by the hours of each part") {
  // 2026-03 in Asia/Almaty: 744 hours; 1-15 March = 360 h at 3.004, 16-31 March = 384 h at 3.134.
  const TariffPart parts[] = {Part("t-old", "3.004", Day(2026, 3, 1), Day(2026, 3, 15), 360),
                              Part("t-new", "3.134", Day(2026, 3, 16), Day(2026, 3, 31), 384)};
  auto lines = AccrualLines(Service::kTransmission, Period(2026, 3), parts, Volume(1'000'000'000),
                            Dec("16"));
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 2);
  // 10^9 × 360 / 744 = 483 870 967.74 -> 483 870 968 Wh; the rest 516 129 032 Wh.
  CHECK((*lines)[0].volume_wh == 483'870'968);
  CHECK((*lines)[1].volume_wh == 516'129'032);
  // 3.004 tg/kWh × 483 870.968 kWh = 1 453 548.387872 tg -> 145 354 839 tiyn; VAT 16 % = 23 256
  // 774.24.
  CHECK((*lines)[0].amount_tiyn == 145'354'839);
  CHECK((*lines)[0].vat_tiyn == 23'256'774);
  CHECK((*lines)[0].total_tiyn == 168'611'613);
  CHECK((*lines)[1].amount_tiyn == 161'754'839);
  CHECK((*lines)[1].vat_tiyn == 25'880'774);
  CHECK((*lines)[0].tariff_id == "t-old");
  CHECK((*lines)[1].tariff_id == "t-new");
  CHECK((*lines)[1].balance_run_id == "run-final");
  CHECK(absl::StrContains((*lines)[0].description, "01.03.2026–15.03.2026"));
  Document d = DocOf(*lines);
  CHECK(d.amount_tiyn == 307'109'678);
  CHECK(d.vat_tiyn == 49'137'548);
  CHECK(d.total_tiyn == 356'247'226);
}

TEST_CASE("February 2024 in Almaty has 697 hours and the split follows hours, not days") {
  // 1-14 Feb: 336 h; 15-29 Feb: 361 h (29 Feb had 25 hours: clocks went back at 1 March 00:00).
  const TariffPart parts[] = {Part("a", "1", Day(2024, 2, 1), Day(2024, 2, 14), 336),
                              Part("b", "2", Day(2024, 2, 15), Day(2024, 2, 29), 361)};
  auto lines =
      AccrualLines(Service::kBalancing, Period(2024, 2), parts, Volume(697'000), Dec("12"));
  REQUIRE(lines.ok());
  CHECK((*lines)[0].volume_wh == 336'000);  // by days it would be 336 482.76
  CHECK((*lines)[1].volume_wh == 361'000);
}

TEST_CASE("volumes the source splits itself are billed as given") {
  const TariffPart parts[] = {Part("a", "1", Day(2026, 3, 1), Day(2026, 3, 15), 360),
                              Part("b", "2", Day(2026, 3, 16), Day(2026, 3, 31), 384)};
  VolumeInput v = Volume(1000);
  v.part_wh = std::vector<int64_t>{900, 100};
  auto lines = AccrualLines(Service::kTransmission, Period(2026, 3), parts, v, Dec("16"));
  REQUIRE(lines.ok());
  CHECK((*lines)[0].volume_wh == 900);
  CHECK((*lines)[1].volume_wh == 100);
  v.part_wh = std::vector<int64_t>{900, 50};
  auto bad = AccrualLines(Service::kTransmission, Period(2026, 3), parts, v, Dec("16"));
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.status().message(), "volume_wh"));
}

TEST_CASE("a month not covered by tariffs is refused naming the first uncovered day") {
  const TariffPart parts[] = {Part("a", "1", Day(2026, 3, 1), Day(2026, 3, 15), 360)};
  auto lines = AccrualLines(Service::kTransmission, Period(2026, 3), parts, Volume(1), Dec("16"));
  REQUIRE(lines.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(lines.status().message(), "tariff: no tariff in force on 2026-03-16"));
  auto neg =
      AccrualLines(Service::kTransmission, Period(2026, 3),
                   std::vector<TariffPart>{Part("a", "1", Day(2026, 3, 1), Day(2026, 3, 31), 744)},
                   Volume(-5), Dec("16"));
  REQUIRE(neg.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(neg.status().message(), "volume_wh"));
}

TEST_CASE("December 2025 carries 12 percent VAT and January 2026 carries 16 percent") {
  VatTable t = Kz();
  const TariffPart dec[] = {Part("t", "3.134", Day(2025, 12, 1), Day(2025, 12, 31), 744)};
  const TariffPart jan[] = {Part("t", "3.134", Day(2026, 1, 1), Day(2026, 1, 31), 744)};
  auto d = AccrualLines(Service::kTransmission, Period(2025, 12), dec, Volume(100'000'000),
                        *t.RateOn(Period(2025, 12).last_day()));
  auto j = AccrualLines(Service::kTransmission, Period(2026, 1), jan, Volume(100'000'000),
                        *t.RateOn(Period(2026, 1).last_day()));
  REQUIRE(d.ok());
  REQUIRE(j.ok());
  // 100 000 kWh × 3.134 = 313 400.00 tg.
  CHECK((*d)[0].amount_tiyn == 31'340'000);
  CHECK((*d)[0].vat_tiyn == 3'760'800);  // 12 %
  CHECK((*d)[0].total_tiyn == 35'100'800);
  CHECK((*j)[0].amount_tiyn == 31'340'000);
  CHECK((*j)[0].vat_tiyn == 5'014'400);  // 16 %
}

TEST_CASE("a 2025 period corrected in 2026 is credited at 12 percent for the difference only") {
  VatTable t = Kz();
  const Decimal rate = *t.RateOn(Period(2025, 12).last_day());  // the original turnover date
  const TariffPart dec[] = {Part("t", "3.134", Day(2025, 12, 1), Day(2025, 12, 31), 744)};
  auto original =
      *AccrualLines(Service::kTransmission, Period(2025, 12), dec, Volume(100'000'000), rate);
  VolumeInput corrected = Volume(90'000'000);
  corrected.balance_run_id = "run-corr-1";
  corrected.balance_run_type = BalanceRunType::kCorrection;
  auto recomputed = *AccrualLines(Service::kTransmission, Period(2025, 12), dec, corrected, rate);
  Correction c = DiffLines(original, recomputed, rate);
  REQUIRE(c.debit.empty());
  REQUIRE(c.credit.size() == 1);
  const Line& l = c.credit[0];
  CHECK(l.volume_wh == -10'000'000);
  // 90 000 kWh × 3.134 = 282 060.00 tg; the difference is -31 340.00 tg.
  CHECK(l.amount_tiyn == -3'134'000);
  // VAT 12 % of 282 060.00 = 33 847.20; 37 608.00 charged: -3 760.80.
  CHECK(l.vat_rate_percent == Dec("12"));
  CHECK(l.vat_tiyn == -376'080);
  CHECK(l.total_tiyn == -3'510'080);
  CHECK(l.balance_run_id == "run-corr-1");
  Document note = DocOf(c.credit);
  CHECK(note.total_tiyn == -3'510'080);
}

TEST_CASE("a retroactive price change reverses the old line and charges the new one") {
  const Decimal rate = Dec("16");
  const TariffPart old_parts[] = {Part("t", "3.000", Day(2026, 3, 1), Day(2026, 3, 31), 744)};
  const TariffPart new_parts[] = {Part("t", "2.900", Day(2026, 3, 1), Day(2026, 3, 31), 744)};
  auto original =
      *AccrualLines(Service::kTransmission, Period(2026, 3), old_parts, Volume(1'000'000), rate);
  auto recomputed =
      *AccrualLines(Service::kTransmission, Period(2026, 3), new_parts, Volume(1'000'000), rate);
  Correction c = DiffLines(original, recomputed, rate);
  REQUIRE(c.credit.size() == 1);
  REQUIRE(c.debit.size() == 1);
  // 1000 kWh × 3.000 = 3000.00 tg + 480.00 VAT reversed; 1000 kWh × 2.900 = 2900.00 + 464.00
  // charged.
  CHECK(c.credit[0].amount_tiyn == -300'000);
  CHECK(c.credit[0].vat_tiyn == -48'000);
  CHECK(c.debit[0].amount_tiyn == 290'000);
  CHECK(c.debit[0].vat_tiyn == 46'400);
  // A second correction with nothing changed issues nothing.
  std::vector<Line> charged = original;
  charged.insert(charged.end(), c.credit.begin(), c.credit.end());
  charged.insert(charged.end(), c.debit.begin(), c.debit.end());
  CHECK(DiffLines(charged, recomputed, rate).empty());
}

TEST_CASE("split by hours always adds up to the volume") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    std::vector<int> hours;
    const int n = 1 + static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) hours.push_back(1 + static_cast<int>(rng() % 400));
    const int64_t total = static_cast<int64_t>(rng() % 1'000'000'000'000ULL);
    auto parts = SplitByHours(total, hours);
    int64_t sum = 0;
    for (int64_t p : parts) {
      REQUIRE(p >= 0);
      sum += p;
    }
    REQUIRE(sum == total);
  }
}

// A million randomized documents: totals equal the sums of the lines to the
// tiyn; after a correction the net charged equals a fresh computation of the
// corrected month; no credit note is larger than what it corrects.
TEST_CASE("property: a million randomized documents and their corrections") {
  std::mt19937_64 rng(20261129);
  const BillingPeriod period = Period(2026, 3);
  auto price = [&] { return Decimal::FromUnits(static_cast<int64_t>(rng() % 10'000'000)); };
  int64_t credits = 0, debits = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const Decimal rate = (rng() % 2 == 0) ? Dec("12") : Dec("16");
    // One to three parts tiling March 2026.
    std::vector<TariffPart> parts;
    const int n = 1 + static_cast<int>(rng() % 3);
    int day = 1;
    for (int k = 0; k < n; ++k) {
      const int last = (k == n - 1) ? 31 : day + static_cast<int>(rng() % (31 - day - (n - 1 - k)));
      parts.push_back(TariffPart{absl::StrCat("t", k), 1, price(), Day(2026, 3, day),
                                 Day(2026, 3, last), (last - day + 1) * 24});
      day = last + 1;
    }
    const int64_t volume = static_cast<int64_t>(rng() % 2'000'000'000'000ULL);
    auto lines = AccrualLines(Service::kTransmission, period, parts, Volume(volume), rate);
    REQUIRE(lines.ok());
    Document doc = DocOf(*lines);
    int64_t amount = 0, vat = 0, total = 0, wh = 0;
    for (const Line& l : doc.lines) {
      amount += l.amount_tiyn;
      vat += l.vat_tiyn;
      total += l.total_tiyn;
      wh += l.volume_wh;
      REQUIRE(l.total_tiyn == l.amount_tiyn + l.vat_tiyn);
      REQUIRE(l.amount_tiyn == ChargeFor(l.price_per_kwh, l.volume_wh).tiyn);
      REQUIRE(l.vat_tiyn == PercentOf(Money{l.amount_tiyn}, rate).tiyn);
    }
    REQUIRE(doc.amount_tiyn == amount);
    REQUIRE(doc.vat_tiyn == vat);
    REQUIRE(doc.total_tiyn == total);
    REQUIRE(wh == volume);

    // A correction: another volume, and sometimes a retroactive price.
    std::vector<TariffPart> parts2 = parts;
    if (rng() % 4 == 0) parts2[rng() % parts2.size()].price_per_kwh = price();
    const int64_t volume2 = static_cast<int64_t>(rng() % 2'000'000'000'000ULL);
    auto lines2 = AccrualLines(Service::kTransmission, period, parts2, Volume(volume2), rate);
    REQUIRE(lines2.ok());
    Correction c = DiffLines(doc.lines, *lines2, rate);
    Document credit = DocOf(c.credit);
    Document debit = DocOf(c.debit);
    if (!c.credit.empty()) ++credits;
    if (!c.debit.empty()) ++debits;
    REQUIRE(credit.total_tiyn <= 0);
    REQUIRE(-credit.total_tiyn <= doc.total_tiyn);
    REQUIRE(-credit.amount_tiyn <= doc.amount_tiyn);
    REQUIRE(-credit.vat_tiyn <= doc.vat_tiyn);
    REQUIRE(debit.total_tiyn >= 0);
    Document fresh = DocOf(*lines2);
    REQUIRE(doc.amount_tiyn + credit.amount_tiyn + debit.amount_tiyn == fresh.amount_tiyn);
    REQUIRE(doc.vat_tiyn + credit.vat_tiyn + debit.vat_tiyn == fresh.vat_tiyn);
    REQUIRE(doc.total_tiyn + credit.total_tiyn + debit.total_tiyn == fresh.total_tiyn);
  }
  // The generator exercised both kinds of notes.
  CHECK(credits > 100'000);
  CHECK(debits > 100'000);
}

}  // namespace
}  // namespace gridbill::invoicing
