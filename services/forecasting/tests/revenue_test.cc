// Revenue from forecast volumes, checked against hand-computed amounts: the
// price of each day, a tariff change inside a month, the VAT of the
// turnover date, a scenario, a net exporter's negative month, no tariff.
#include <catch2/catch.hpp>

#include "revenue.h"

namespace gridbill::forecasting {
namespace {

Decimal D(const char* text) { return *Decimal::Parse(text); }

const std::vector<VatRate> kVat = *ParseVatRates("2019-01-01=12, 2026-01-01=16");

const std::vector<TariffInfo> kTariffs = {
    {1, D("2.0"), absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 10)},
    {1, D("2.4"), absl::CivilDay(2025, 12, 11), absl::CivilDay(2026, 6, 30)},
    {2, D("0.25"), absl::CivilDay(2025, 1, 1), std::nullopt}};

TEST_CASE("a month's volume is priced by the days of each tariff, VAT of the turnover date") {
  // December 2025: 10 days at 2.0, 21 at 2.4; 31,000 kWh -> 10,000 and 21,000 kWh.
  const Revenue r = *RevenueOf(1, absl::CivilMonth(2025, 12), 31'000'000, kTariffs, kVat);
  CHECK(r.net.tiyn == 10'000 * 200 + 21'000 * 240);  // 7,040,000 tiyn
  CHECK(r.vat_percent == D("12"));                   // the rate of 2025-12-31
  CHECK(r.vat.tiyn == 844'800);
  CHECK(r.gross.tiyn == 7'884'800);
  CHECK(r.basis == "2 2025-12-01..2025-12-10, 2.4 2025-12-11..2025-12-31");
  // January 2026: 16 %.
  const Revenue j = *RevenueOf(1, absl::CivilMonth(2026, 1), 1'000'000, kTariffs, kVat);
  CHECK(j.net.tiyn == 240'000);
  CHECK(j.vat.tiyn == 38'400);
  // After the last tariff its price holds, and the answer says so.
  const Revenue after = *RevenueOf(1, absl::CivilMonth(2026, 8), 1'000'000, kTariffs, kVat);
  CHECK(after.net.tiyn == 240'000);
  CHECK(after.basis == "2.4 (the last tariff's price)");
  // A share that does not divide: the parts add up to the volume exactly.
  const Revenue odd = *RevenueOf(1, absl::CivilMonth(2025, 12), 1'001, kTariffs, kVat);
  CHECK(odd.net ==
        ChargeFor(D("2.0"), 1'001 * 10 / 31) + ChargeFor(D("2.4"), 1'001 - 1'001 * 10 / 31));
}

TEST_CASE("a scenario prices its service from its date; a net exporter's month is negative") {
  const TariffScenario s{1, D("3.0"), absl::CivilDay(2026, 2, 15)};
  // February 2026: 14 days at 2.4, 14 at 3.0.
  const Revenue r = *RevenueOf(1, absl::CivilMonth(2026, 2), 28'000'000, kTariffs, kVat, &s);
  CHECK(r.net.tiyn == 14'000 * 240 + 14'000 * 300);
  CHECK(r.basis == "2.4 2026-02-01..2026-02-14, 3 (scenario) 2026-02-15..2026-02-28");
  // Another service is not affected.
  const Revenue d = *RevenueOf(2, absl::CivilMonth(2026, 2), 1'000'000, kTariffs, kVat, &s);
  CHECK(d.net.tiyn == 25'000);
  const Revenue neg = *RevenueOf(1, absl::CivilMonth(2026, 1), -1'000'000, kTariffs, kVat);
  CHECK(neg.net.tiyn == -240'000);
  CHECK(neg.gross.tiyn == -278'400);
}

TEST_CASE("billed: a net exporter's month is not billed, a positive one as priced") {
  const Revenue neg = *BilledRevenueOf(1, absl::CivilMonth(2026, 1), -1'000'000, kTariffs, kVat);
  CHECK(neg.volume_wh == -1'000'000);
  CHECK(neg.net.tiyn == 0);
  CHECK(neg.gross.tiyn == 0);
  CHECK(neg.vat_percent == D("16"));
  CHECK(neg.basis.find("not billed: net volume -1000000 Wh") == 0);
  const Revenue zero = *BilledRevenueOf(2, absl::CivilMonth(2026, 1), 0, kTariffs, kVat);
  CHECK(zero.gross.tiyn == 0);
  CHECK(zero.basis == "not billed: volume 0 Wh");
  const Revenue pos = *BilledRevenueOf(1, absl::CivilMonth(2026, 1), 1'000'000, kTariffs, kVat);
  CHECK(pos.gross.tiyn == 278'400);
  // Without a tariff it fails as RevenueOf does, whatever the volume.
  CHECK(absl::IsFailedPrecondition(
      BilledRevenueOf(3, absl::CivilMonth(2026, 1), -5, kTariffs, kVat).status()));
}

TEST_CASE("no tariff, no VAT rate, malformed rates: clear errors") {
  const auto none = RevenueOf(3, absl::CivilMonth(2026, 1), 1, kTariffs, kVat);
  REQUIRE(absl::IsFailedPrecondition(none.status()));
  CHECK(none.status().message().find("tariff") != absl::string_view::npos);
  const auto early = RevenueOf(1, absl::CivilMonth(2018, 1), 1, kTariffs, kVat);
  REQUIRE(absl::IsFailedPrecondition(early.status()));
  CHECK(early.status().message().find("vat_rate") != absl::string_view::npos);
  CHECK(absl::IsInvalidArgument(ParseVatRates("2026-01-01:16").status()));
  CHECK(absl::IsInvalidArgument(ParseVatRates("2026-13-01=16").status()));
  CHECK(absl::IsInvalidArgument(ParseVatRates("2026-01-01=160").status()));
  CHECK(absl::IsInvalidArgument(ParseVatRates("").status()));
}

}  // namespace
}  // namespace gridbill::forecasting
