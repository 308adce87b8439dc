#include "gridbill/server/proto_convert.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gridbill/base/errors.h"
#include "gridbill/testing/v1/testing.pb.h"

namespace gridbill {
namespace {

using testing::v1::EchoRequest;

common::v1::Date Date(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

TEST_CASE("Fingerprint ignores request_id and map order but sees every other field") {
  EchoRequest a;
  a.set_request_id("r-1");
  a.set_text("hello");
  a.set_number(7);
  for (int i = 0; i < 50; ++i) (*a.mutable_labels())["k" + std::to_string(i)] = "v";
  EchoRequest b;
  b.set_number(7);
  b.set_text("hello");
  for (int i = 49; i >= 0; --i) (*b.mutable_labels())["k" + std::to_string(i)] = "v";
  b.set_request_id("r-2");

  const std::string fa = Fingerprint(a);
  CHECK(fa.size() == 64);
  CHECK(fa.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(fa == Fingerprint(b));
  CHECK(a.request_id() == "r-1");  // the argument is not modified

  b.set_number(8);
  CHECK(Fingerprint(b) != fa);
  b.set_number(7);
  (*b.mutable_labels())["k3"] = "w";
  CHECK(Fingerprint(b) != fa);

  // A message without request_id is fingerprinted whole.
  common::v1::Money m1, m2;
  m1.set_tiyn(100);
  m2.set_tiyn(101);
  CHECK(Fingerprint(m1) != Fingerprint(m2));
}

TEST_CASE("Timestamps round trip before 1970 too") {
  for (absl::Time t : {absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(123456789),
                       absl::UnixEpoch(), absl::FromUnixSeconds(-1) + absl::Milliseconds(250)}) {
    google::protobuf::Timestamp ts = ToProtoTime(t);
    CHECK(ts.nanos() >= 0);
    CHECK(ts.nanos() < 1000000000);
    CHECK(FromProtoTime(ts) == t);
  }
  google::protobuf::Timestamp ts = ToProtoTime(absl::FromUnixSeconds(-1) + absl::Milliseconds(250));
  CHECK(ts.seconds() == -1);
  CHECK(ts.nanos() == 250000000);
}

TEST_CASE("Dates - real calendar dates only and errors name the field") {
  auto ok = FromProtoDate(Date(2024, 2, 29), "valid_from");
  REQUIRE(ok.ok());
  CHECK(*ok == absl::CivilDay(2024, 2, 29));
  CHECK(ToProtoDate(absl::CivilDay(2026, 1, 1)).SerializeAsString() ==
        Date(2026, 1, 1).SerializeAsString());

  auto bad = FromProtoDate(Date(2023, 2, 29), "valid_from");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(bad.status()) == "valid_from");
  CHECK(absl::StrContains(bad.status().message(), "valid_from"));
  CHECK_FALSE(FromProtoDate(Date(2023, 13, 1), "d").ok());
  CHECK_FALSE(FromProtoDate(Date(2023, 4, 31), "d").ok());
  CHECK_FALSE(FromProtoDate(Date(0, 1, 1), "d").ok());

  auto unset = FromProtoDate(common::v1::Date(), "valid_from");
  REQUIRE_FALSE(unset.ok());
  CHECK(FieldOf(unset.status()) == "valid_from");

  CHECK_FALSE(IsSet(common::v1::Date()));
  CHECK(IsSet(Date(2024, 1, 1)));
  auto none = FromOptionalProtoDate(common::v1::Date(), "valid_to");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  auto some = FromOptionalProtoDate(Date(2024, 12, 31), "valid_to");
  REQUIRE(some.ok());
  CHECK(**some == absl::CivilDay(2024, 12, 31));
  CHECK_FALSE(FromOptionalProtoDate(Date(2024, 2, 30), "valid_to").ok());
}

TEST_CASE("Billing periods convert both ways and reject impossible months") {
  auto p = BillingPeriod::Make(2024, 2);
  REQUIRE(p.ok());
  common::v1::BillingPeriod proto = ToProtoPeriod(*p);
  CHECK(proto.year() == 2024);
  CHECK(proto.month() == 2);
  auto back = FromProtoPeriod(proto, "period");
  REQUIRE(back.ok());
  CHECK(*back == *p);
  proto.set_month(13);
  auto bad = FromProtoPeriod(proto, "period");
  REQUIRE_FALSE(bad.ok());
  CHECK(FieldOf(bad.status()) == "period");
  CHECK_FALSE(FromProtoPeriod(common::v1::BillingPeriod(), "period").ok());
}

TEST_CASE("CheckMask and MaskHas") {
  google::protobuf::FieldMask mask;
  absl::Status empty = CheckMask(mask, {"name"});
  CHECK(empty.code() == absl::StatusCode::kInvalidArgument);
  CHECK(empty.message() == "update_mask: empty");
  mask.add_paths("name");
  mask.add_paths("address");
  CHECK(CheckMask(mask, {"name", "address", "phone"}).ok());
  mask.add_paths("bin");
  absl::Status immutable = CheckMask(mask, {"name", "address"});
  CHECK(immutable.message() == "update_mask: unknown or immutable field 'bin'");
  CHECK(FieldOf(immutable) == "update_mask");
  CHECK(MaskHas(mask, "name"));
  CHECK(MaskHas(mask, "address.city"));
  CHECK_FALSE(MaskHas(mask, "addresses"));
  CHECK_FALSE(MaskHas(mask, "phone"));
}

}  // namespace
}  // namespace gridbill
