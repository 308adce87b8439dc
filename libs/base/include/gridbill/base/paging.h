// One way to page every List method (gRPC-free: stores and domains use it;
// the gRPC edge reads requests with gridbill/server/paging.h).
//
// The rule, the same for every list of the suite:
// - page_size: 0 = the list's default, above its maximum = the maximum,
//   negative = INVALID_ARGUMENT on "page_size".
// - page_token: opaque. It holds the sort key of the last row already
//   returned (keyset: the store reads `WHERE (sort key) > (last key)` and
//   fetches size + 1 rows to know whether more follow), or, for the few lists
//   whose order has no unique key, an offset. It is bound to the request's
//   filters: a token reused with other filters, or for another list, is
//   INVALID_ARGUMENT on "page_token" saying so; an edited or truncated token
//   is INVALID_ARGUMENT "malformed".
// - next_page_token is empty only on the last page.
//
// A store names its sort key: CutPage(rows, page, [](const Row& r) {
// return PageKey{r.name, r.id}; }).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gridbill::paging {

// The sort key of one row: one string per ORDER BY column, as PostgreSQL
// prints and parses it (sent back as text parameters).
using PageKey = std::vector<std::string>;

// The page size rule of one list.
struct Limits {
  int default_size = 100;
  int max_size = 1000;
};

// Where a page starts and how many rows it holds.
struct Page {
  int size = 100;
  // The key of the last row of the previous page; empty on the first page.
  PageKey after;

  bool first() const { return after.empty(); }
  // Key column i as a SQL parameter: nullopt (NULL, "no lower bound") on
  // the first page, so one statement serves every page:
  //   WHERE ($3::text IS NULL OR (name, id) > ($3, $4::uuid))
  std::optional<std::string> After(size_t i) const;
  // Key column i as an integer (e.g. an id or a version), for stores that
  // compare in C++; INVALID_ARGUMENT on "page_token" when it is not one.
  absl::StatusOr<int64_t> AfterInt(size_t i) const;
  // For offset lists: the number of rows already returned (0 on the first
  // page); INVALID_ARGUMENT on "page_token" when the key is not one.
  absl::StatusOr<int64_t> Offset() const;
};

// One page of rows. `next` is the key to continue after, empty on the last
// page; total_size is filled by the lists that report it.
template <typename T>
struct PageOf {
  std::vector<T> items;
  PageKey next;
  int64_t total_size = 0;
};

// page_size as the rule above says.
absl::StatusOr<int> PageSize(int32_t requested, Limits limits = {});

// The token for `key` on a list whose request filters digest to `filters`.
// An empty key gives the empty token (no more pages).
std::string EncodeToken(std::string_view filters, const PageKey& key);
// The key in `token` (empty for the empty token: the first page).
absl::StatusOr<PageKey> DecodeToken(std::string_view token, std::string_view filters);

// Both at once: what a List handler needs to call its store.
absl::StatusOr<Page> ReadPage(int32_t page_size, std::string_view page_token,
                              std::string_view filters, Limits limits = {});

// Rows read with LIMIT page.size + 1 (keyset): keeps page.size of them and,
// when more followed, sets `next` to the key of the last row kept.
template <typename T, typename KeyFn>
PageOf<T> CutPage(std::vector<T> rows, const Page& page, KeyFn key) {
  PageOf<T> out;
  if (rows.size() > static_cast<size_t>(page.size)) {
    rows.resize(static_cast<size_t>(page.size));
    if (!rows.empty()) out.next = key(rows.back());
  }
  out.items = std::move(rows);
  return out;
}

// Rows read with OFFSET `offset` LIMIT page.size + 1, for a list whose
// order allows no keyset.
template <typename T>
PageOf<T> CutOffsetPage(std::vector<T> rows, const Page& page, int64_t offset) {
  PageOf<T> out;
  if (rows.size() > static_cast<size_t>(page.size)) {
    rows.resize(static_cast<size_t>(page.size));
    out.next = {std::to_string(offset + page.size)};
  }
  out.items = std::move(rows);
  return out;
}

// One page of a short list computed whole (not read from a table, e.g.
// tariff slices of a month): by offset.
template <typename T>
absl::StatusOr<PageOf<T>> SlicePage(std::vector<T> all, const Page& page) {
  absl::StatusOr<int64_t> offset = page.Offset();
  if (!offset.ok()) return offset.status();
  const size_t from = std::min(all.size(), static_cast<size_t>(*offset));
  std::vector<T> rows(std::make_move_iterator(all.begin() + static_cast<ptrdiff_t>(from)),
                      std::make_move_iterator(all.end()));
  PageOf<T> out = CutOffsetPage(std::move(rows), page, *offset);
  out.total_size = static_cast<int64_t>(all.size());
  return out;
}

}  // namespace gridbill::paging
