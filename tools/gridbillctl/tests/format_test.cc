#include "tools/gridbillctl/format.h"

#include <catch2/catch.hpp>

namespace gridbill::ctl {
namespace {

TEST_CASE("energy is shown in the largest fitting unit", "[format]") {
  CHECK(FormatEnergy(12) == "12 Wh");
  CHECK(FormatEnergy(950'000) == "950.000 kWh");
  CHECK(FormatEnergy(1'234'567) == "1.235 MWh");
  CHECK(FormatEnergy(12'345'678'901) == "12.346 GWh");
  CHECK(FormatEnergy(1'234'567'000'000'000) == "1 234 567.000 GWh");
  CHECK(FormatEnergy(-2'500'000) == "-2.500 MWh");
}

TEST_CASE("energy text parses back to whole Wh", "[format]") {
  CHECK(*ParseEnergy("12.5GWh") == 12'500'000'000);
  CHECK(*ParseEnergy("1 200 kWh") == 1'200'000);
  CHECK(*ParseEnergy("1200") == 1'200'000);
  CHECK(*ParseEnergy("0.001kwh") == 1);
  CHECK(*ParseEnergy("7Wh") == 7);
  CHECK_FALSE(ParseEnergy("0.5Wh").ok());
  CHECK_FALSE(ParseEnergy("12 parsecs").ok());
  CHECK_FALSE(ParseEnergy("").ok());
  CHECK_FALSE(ParseEnergy("1.2.3").ok());
}

TEST_CASE("money and prices", "[format]") {
  CHECK(GroupDigits(0) == "0");
  CHECK(GroupDigits(1234567) == "1 234 567");
  CHECK(GroupDigits(-1000) == "-1 000");
  CHECK(FormatTiyn(123456789) == "1 234 567.89 ₸");
  CHECK(FormatTiyn(-5) == "-0.05 ₸");
  CHECK(FormatPrice("3.134") == "3.134 ₸/kWh");
}

TEST_CASE("tables align by characters, not bytes", "[format]") {
  Table t({{"NAME"}, {"KWH", Table::Align::kRight}});
  t.AddRow({"ТОО «Казцинк»", "1"});
  t.AddRow({"AES", "12 345"});
  CHECK(t.Render() ==
        "NAME              KWH\n"
        "ТОО «Казцинк»       1\n"
        "AES            12 345\n");
}

TEST_CASE("long cells are cut with an ellipsis", "[format]") {
  CHECK(Truncate("Экибастузская", 5) == "Экиб…");
  CHECK(Truncate("short", 10) == "short");
  CHECK(DisplayWidth("Қарағанды") == 9);
}

TEST_CASE("dates, periods and times", "[format]") {
  common::v1::Date d;
  CHECK(FormatDate(d).empty());
  d.set_year(2024);
  d.set_month(2);
  d.set_day(29);
  CHECK(FormatDate(d) == "2024-02-29");
  common::v1::BillingPeriod p;
  p.set_year(2026);
  p.set_month(1);
  CHECK(FormatPeriod(p) == "2026-01");
  google::protobuf::Timestamp ts;
  ts.set_seconds(1'709'233'200);  // 2024-02-29T19:00:00Z, 2024-03-01 00:00 in UTC+5
  absl::TimeZone almaty;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &almaty));
  CHECK(FormatTime(ts, almaty) == "2024-03-01T00:00+05:00");
}

TEST_CASE("the repeated hour of a zone change prints with its offset") {
  // Asia/Almaty turned its clocks back from 00:00+06:00 to 23:00+05:00 on
  // 2024-03-01: 2024-02-29 23:00 happened twice.
  absl::TimeZone almaty;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &almaty));
  google::protobuf::Timestamp first, second;
  first.set_seconds(1'709'226'000);   // 2024-02-29T17:00:00Z
  second.set_seconds(1'709'229'600);  // 2024-02-29T18:00:00Z
  CHECK(FormatTime(first, almaty) == "2024-02-29T23:00+06:00");
  CHECK(FormatTime(second, almaty) == "2024-02-29T23:00+05:00");
  CHECK(FormatTime(google::protobuf::Timestamp(), almaty).empty());
}

}  // namespace
}  // namespace gridbill::ctl
