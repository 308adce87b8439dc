#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gridbill/pg/params.h"

namespace gridbill::pg {
namespace {

std::vector<std::string> Texts(const Params& p) {
  std::vector<std::string> out;
  for (const char* v : p.Pointers()) out.push_back(v == nullptr ? "<NULL>" : v);
  return out;
}

TEST_CASE("Params renders each type as PostgreSQL text input") {
  Params p("text", std::string("str"), int64_t{-5}, 7, true, false, std::nullopt);
  CHECK(Texts(p) == std::vector<std::string>{"text", "str", "-5", "7", "true", "false", "<NULL>"});
  CHECK(p.size() == 7);
}

TEST_CASE("Params renders times in UTC with microseconds, days as ISO dates") {
  Params p;
  p.Add(absl::FromUnixNanos(1709251199123456789));
  p.Add(absl::UnixEpoch());
  p.Add(absl::InfiniteFuture());
  p.Add(absl::InfinitePast());
  p.Add(absl::CivilDay(2024, 2, 29));
  CHECK(Texts(p) == std::vector<std::string>{"2024-02-29T23:59:59.123456Z",
                                             "1970-01-01T00:00:00.000000Z", "infinity", "-infinity",
                                             "2024-02-29"});
}

TEST_CASE("Params renders optionals, doubles, bytes and arrays") {
  Params p;
  p.Add(std::optional<int64_t>(3)).Add(std::optional<std::string>());
  p.Add(0.1).Add(-2.5);
  p.AddBytes(
      std::string("\x00\xff"
                  "a",
                  3));
  p.AddTextArray({"a", "", "NULL", "q\"u", "b\\s", "x,y"});
  p.AddTextArray({});
  p.AddIntArray({1, -2});
  CHECK(Texts(p) == std::vector<std::string>{"3", "<NULL>", "0.10000000000000001", "-2.5",
                                             "\\x00ff61", R"({"a","","NULL","q\"u","b\\s","x,y"})",
                                             "{}", "{1,-2}"});
}

TEST_CASE("Params takes other integer types and absl::string_view") {
  Params p(int32_t{-3}, size_t{4}, uint16_t{5}, static_cast<long long>(6), absl::string_view("av"));
  CHECK(Texts(p) == std::vector<std::string>{"-3", "4", "5", "6", "av"});
}

TEST_CASE("Params can be copied") {
  Params a("x", 1);
  Params b(a);
  b.Add(2);
  CHECK(a.size() == 2);
  CHECK(Texts(b) == std::vector<std::string>{"x", "1", "2"});
}

}  // namespace
}  // namespace gridbill::pg
