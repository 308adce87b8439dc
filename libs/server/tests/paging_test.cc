#include "gridbill/server/paging.h"

#include <catch2/catch.hpp>

#include "gridbill/base/errors.h"
#include "gridbill/testing/v1/testing.pb.h"

namespace gridbill::paging {
namespace {

using testing::v1::ListOtherThingsRequest;
using testing::v1::ListThingsRequest;

ListThingsRequest Request(std::string owner, int32_t size, std::string token) {
  ListThingsRequest req;
  req.set_owner(std::move(owner));
  req.set_page_size(size);
  req.set_page_token(std::move(token));
  for (int i = 0; i < 20; ++i) (*req.mutable_labels())["k" + std::to_string(i)] = "v";
  return req;
}

TEST_CASE("FromRequest reads page_size and page_token of a List request", "[server][paging]") {
  auto first = FromRequest(Request("A", 0, ""), {.default_size = 20, .max_size = 50});
  REQUIRE(first.ok());
  CHECK(first->size == 20);
  CHECK(first->first());

  const std::string token = NextToken(Request("A", 0, ""), {"x", "1"});
  // The page size may change between pages; the filters may not.
  auto next = FromRequest(Request("A", 999, token), {.default_size = 20, .max_size = 50});
  REQUIRE(next.ok());
  CHECK(next->size == 50);
  CHECK(next->after == PageKey{"x", "1"});

  auto other_owner = FromRequest(Request("B", 0, token));
  REQUIRE(!other_owner.ok());
  CHECK(FieldOf(other_owner.status()) == "page_token");

  ListOtherThingsRequest other_list;
  other_list.set_owner("A");
  other_list.set_page_token(token);
  for (int i = 0; i < 20; ++i) (*other_list.mutable_labels())["k" + std::to_string(i)] = "v";
  CHECK(FieldOf(FromRequest(other_list).status()) == "page_token");

  CHECK(FieldOf(FromRequest(Request("A", -1, "")).status()) == "page_size");
  CHECK(NextToken(Request("A", 0, ""), {}).empty());
}

TEST_CASE("Filters ignores paging fields and map order", "[server][paging]") {
  ListThingsRequest a = Request("A", 10, "t1");
  ListThingsRequest b;
  b.set_owner("A");
  for (int i = 19; i >= 0; --i) (*b.mutable_labels())["k" + std::to_string(i)] = "v";
  CHECK(Filters(a) == Filters(b));
  b.set_owner("B");
  CHECK(Filters(a) != Filters(b));
}

}  // namespace
}  // namespace gridbill::paging
