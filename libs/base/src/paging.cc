#include "gridbill/base/paging.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"

namespace gridbill::paging {
namespace {

// Token bytes: version, 8 bytes of the filters digest, the key (per column a
// varint length and the bytes), then 4 bytes of SHA-256 over all of it so
// that an edited or truncated token is caught before its key is used.
constexpr char kVersion = 1;
constexpr size_t kFiltersBytes = 8;
constexpr size_t kCheckBytes = 4;
constexpr size_t kMaxKeyColumns = 8;

std::string FiltersPrefix(std::string_view filters) {
  const std::string digest = Sha256(filters);
  return digest.substr(0, kFiltersBytes);
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

absl::Status Malformed() {
  return InvalidField("page_token", "malformed; pass the next_page_token of the previous page");
}

}  // namespace

std::optional<std::string> Page::After(size_t i) const {
  if (i >= after.size()) return std::nullopt;
  return after[i];
}

absl::StatusOr<int64_t> Page::AfterInt(size_t i) const {
  int64_t v = 0;
  if (i >= after.size() || after[i].empty() ||
      !std::all_of(after[i].begin(), after[i].end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(ToAbsl(after[i]), &v)) {
    return Malformed();
  }
  return v;
}

absl::StatusOr<int64_t> Page::Offset() const {
  if (after.empty()) return 0;
  if (after.size() != 1) return Malformed();
  return AfterInt(0);
}

absl::StatusOr<int> PageSize(int32_t requested, Limits limits) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return std::min(limits.default_size, limits.max_size);
  return std::min<int>(requested, limits.max_size);
}

std::string EncodeToken(std::string_view filters, const PageKey& key) {
  if (key.empty()) return "";
  std::string bytes(1, kVersion);
  bytes += FiltersPrefix(filters);
  for (const std::string& column : key) {
    PutVarint(bytes, column.size());
    bytes += column;
  }
  bytes += Sha256(bytes).substr(0, kCheckBytes);
  std::string token;
  absl::WebSafeBase64Escape(bytes, &token);  // no padding: safe in URLs and flags
  return token;
}

absl::StatusOr<PageKey> DecodeToken(std::string_view std_token, std::string_view filters) {
  if (std_token.empty()) return PageKey{};
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(ToAbsl(std_token), &bytes) ||
      bytes.size() < 1 + kFiltersBytes + kCheckBytes || bytes[0] != kVersion) {
    return Malformed();
  }
  const std::string_view body = std::string_view(bytes).substr(0, bytes.size() - kCheckBytes);
  if (Sha256(body).substr(0, kCheckBytes) != std::string_view(bytes).substr(body.size())) {
    return Malformed();
  }
  if (body.substr(1, kFiltersBytes) != FiltersPrefix(filters)) {
    return InvalidField("page_token",
                        "issued for other filters or another list; repeat the filters of the "
                        "first page, or start again without a page_token");
  }
  PageKey key;
  std::string_view rest = body.substr(1 + kFiltersBytes);
  while (!rest.empty()) {
    uint64_t size = 0;
    if (!GetVarint(rest, size) || size > rest.size() || key.size() == kMaxKeyColumns) {
      return Malformed();
    }
    key.emplace_back(rest.substr(0, size));
    rest.remove_prefix(size);
  }
  if (key.empty()) return Malformed();
  return key;
}

absl::StatusOr<Page> ReadPage(int32_t page_size, std::string_view page_token,
                              std::string_view filters, Limits limits) {
  Page page;
  absl::StatusOr<int> size = PageSize(page_size, limits);
  if (!size.ok()) return size.status();
  page.size = *size;
  absl::StatusOr<PageKey> key = DecodeToken(page_token, filters);
  if (!key.ok()) return key.status();
  page.after = *std::move(key);
  return page;
}

}  // namespace gridbill::paging
