#include "gridbill/base/paging.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gridbill/base/errors.h"

namespace gridbill::paging {
namespace {

TEST_CASE("page_size: 0 is the default, above the maximum is the maximum, negative is refused",
          "[base][paging]") {
  CHECK(*PageSize(0) == 100);
  CHECK(*PageSize(0, {.default_size = 50, .max_size = 500}) == 50);
  CHECK(*PageSize(7) == 7);
  CHECK(*PageSize(1000) == 1000);
  CHECK(*PageSize(1001) == 1000);
  CHECK(*PageSize(2'000'000'000, {.default_size = 1000, .max_size = 10000}) == 10000);
  auto negative = PageSize(-1);
  REQUIRE(!negative.ok());
  CHECK(negative.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(negative.status()) == "page_size");
}

TEST_CASE("a token gives back the key it was made from", "[base][paging]") {
  const std::vector<PageKey> keys = {
      {"42"},
      {"Acme", "7d0c2c5e-8f8e-4d0b-9a53-3b3f3f7a1f00"},
      {"2026-01-01 00:00:00+00", "", "Ω with spaces, commas, \"quotes\""},
      {std::string(300, 'x'), std::string("a\0b", 3)},
  };
  for (const PageKey& key : keys) {
    const std::string token = EncodeToken("filters", key);
    CHECK(!token.empty());
    // URL- and flag-safe: base64url without padding.
    CHECK(token.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    auto back = DecodeToken(token, "filters");
    REQUIRE(back.ok());
    CHECK(*back == key);
  }
  CHECK(EncodeToken("filters", {}).empty());   // no key: the last page
  CHECK(DecodeToken("", "filters")->empty());  // no token: the first page
}

TEST_CASE("a token of other filters is refused saying so", "[base][paging]") {
  const std::string token = EncodeToken("participant=A", {"10"});
  auto other = DecodeToken(token, "participant=B");
  REQUIRE(!other.ok());
  CHECK(other.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(other.status()) == "page_token");
  CHECK(std::string(other.status().message()).find("other filters") != std::string::npos);
}

TEST_CASE("an edited, truncated or foreign token is malformed", "[base][paging]") {
  const std::string token = EncodeToken("f", {"100", "abc"});
  std::string bytes;
  REQUIRE(absl::WebSafeBase64Unescape(token, &bytes));

  std::vector<std::string> bad = {
      "not base64 !",
      "b2Zmc2V0OjEwMA",  // "offset:100": a token of the old scheme
      absl::WebSafeBase64Escape("o:100"),
      token.substr(0, token.size() - 2),
      token + "AA",
  };
  // Every single byte changed.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string edited = bytes;
    edited[i] = static_cast<char>(edited[i] ^ 0x01);
    bad.push_back(absl::WebSafeBase64Escape(edited));
  }
  for (const std::string& t : bad) {
    INFO(t);
    auto decoded = DecodeToken(t, "f");
    REQUIRE(!decoded.ok());
    CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(decoded.status()) == "page_token");
  }
}

TEST_CASE("ReadPage checks size and token together", "[base][paging]") {
  auto first = ReadPage(0, "", "f");
  REQUIRE(first.ok());
  CHECK(first->first());
  CHECK(first->size == 100);
  CHECK(!first->After(0).has_value());
  CHECK(*first->Offset() == 0);

  auto next = ReadPage(5000, EncodeToken("f", {"b", "2"}), "f");
  REQUIRE(next.ok());
  CHECK(next->size == 1000);
  CHECK(next->After(0) == "b");
  CHECK(next->After(1) == "2");
  CHECK(!next->After(2).has_value());
  // A keyset key is no offset, and "b" no integer.
  CHECK(FieldOf(next->Offset().status()) == "page_token");
  CHECK(FieldOf(next->AfterInt(0).status()) == "page_token");
  CHECK(*next->AfterInt(1) == 2);
  CHECK(FieldOf(next->AfterInt(2).status()) == "page_token");

  CHECK(FieldOf(ReadPage(-5, "", "f").status()) == "page_size");
  CHECK(FieldOf(ReadPage(10, "garbage", "f").status()) == "page_token");
}

struct Row {
  std::string name;
  int id;
};

TEST_CASE("CutPage keeps size rows and continues after the last one kept", "[base][paging]") {
  Page page;
  page.size = 2;
  auto key = [](const Row& r) { return PageKey{r.name, std::to_string(r.id)}; };

  auto more = CutPage(std::vector<Row>{{"a", 1}, {"b", 2}, {"c", 3}}, page, key);
  REQUIRE(more.items.size() == 2);
  CHECK(more.items[1].name == "b");
  CHECK(more.next == PageKey{"b", "2"});

  auto exact = CutPage(std::vector<Row>{{"a", 1}, {"b", 2}}, page, key);
  CHECK(exact.items.size() == 2);
  CHECK(exact.next.empty());  // nothing followed: the last page

  auto none = CutPage(std::vector<Row>{}, page, key);
  CHECK(none.items.empty());
  CHECK(none.next.empty());
}

TEST_CASE("SlicePage pages a computed list by offset, each item exactly once", "[base][paging]") {
  std::vector<int> all;
  for (int i = 0; i < 23; ++i) all.push_back(i);
  std::vector<int> seen;
  Page page;
  page.size = 5;
  int pages = 0;
  while (true) {
    auto cut = SlicePage(all, page);
    REQUIRE(cut.ok());
    CHECK(cut->total_size == 23);
    seen.insert(seen.end(), cut->items.begin(), cut->items.end());
    ++pages;
    if (cut->next.empty()) break;
    // Through a token, as a client would.
    auto again = ReadPage(5, EncodeToken("f", cut->next), "f");
    REQUIRE(again.ok());
    page = *again;
  }
  CHECK(pages == 5);
  CHECK(seen == all);
}

}  // namespace
}  // namespace gridbill::paging
