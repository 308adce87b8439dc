#include "gridbill/domain/identifiers.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"

namespace gridbill {
namespace {

constexpr size_t kBinLength = 12;
constexpr size_t kEicLength = 16;
constexpr std::string_view kEicAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The EIC value of a character (0-9, A-Z → 10-35, '-' → 36), or -1.
int EicValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c == '-') return 36;
  return -1;
}

// Walks `text` character by character (UTF-8 code points; a byte that does
// not start a valid sequence counts as one character), so that a message can
// say "position 4" of what the user typed and show a Cyrillic 'К' as itself.
struct Char {
  std::string_view bytes;
  size_t position;  // 1-based, in characters
};

size_t Utf8Length(std::string_view s, size_t i) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  const size_t n = b < 0x80           ? 1
                   : (b >> 5) == 0x6  ? 2
                   : (b >> 4) == 0xE  ? 3
                   : (b >> 3) == 0x1E ? 4
                                      : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

std::string Show(std::string_view bytes) {
  if (bytes.size() == 1) {
    const unsigned char c = static_cast<unsigned char>(bytes[0]);
    if (c < 0x20 || c >= 0x7F) return absl::StrFormat("'\\x%02x'", c);
    if (c == '\'') return "\"'\"";
  }
  return absl::StrCat("'", ToAbsl(bytes), "'");
}

// The first character of `text` that `allowed` refuses (any multi-byte one is refused).
template <typename Pred>
std::optional<Char> FirstBad(std::string_view text, Pred allowed) {
  size_t position = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8Length(text, i);
    ++position;
    if (n != 1 || !allowed(text[i])) return Char{text.substr(i, n), position};
    i += n;
  }
  return std::nullopt;
}

}  // namespace

int BinCheckDigit(std::string_view first11) {
  if (first11.size() != kBinLength - 1) return -1;
  int first = 0;
  int second = 0;
  for (size_t i = 0; i < first11.size(); ++i) {
    if (!IsDigit(first11[i])) return -1;
    const int digit = first11[i] - '0';
    first += digit * static_cast<int>(i + 1);              // 1..11
    second += digit * static_cast<int>((i + 2) % 11 + 1);  // 3..11, 1, 2
  }
  if (first % 11 != 10) return first % 11;
  if (second % 11 != 10) return second % 11;
  return -1;
}

absl::Status ValidateBin(std::string_view bin, std::string_view field) {
  if (std::optional<Char> bad = FirstBad(bin, IsDigit)) {
    return InvalidField(field, absl::StrCat("character ", Show(bad->bytes), " at position ",
                                            bad->position, " is not a digit"));
  }
  if (bin.size() != kBinLength) {
    return InvalidField(field, absl::StrCat("must be 12 digits, got ", bin.size()));
  }
  const int expected = BinCheckDigit(bin.substr(0, kBinLength - 1));
  if (expected < 0) {
    return InvalidField(field,
                        absl::StrCat("no check digit exists for ", QuoteInput(bin.substr(0, 11)),
                                     " (both weightings give 10): not a valid BIN"));
  }
  const int actual = bin[kBinLength - 1] - '0';
  if (actual != expected) {
    return InvalidField(field, absl::StrCat("check digit is ", actual, ", expected ", expected));
  }
  return absl::OkStatus();
}

char EicCheckChar(std::string_view first15) {
  if (first15.size() != kEicLength - 1) return '\0';
  int sum = 0;
  for (size_t i = 0; i < first15.size(); ++i) {
    const int value = EicValue(first15[i]);
    if (value < 0) return '\0';
    sum += value * static_cast<int>(kEicLength - i);  // weights 16..2
  }
  // (sum - 1) mod 37 taken as non-negative: sum == 0 ("000...0") gives 36.
  const int check = 36 - ((sum - 1) % 37 + 37) % 37;
  if (check == 36) return '\0';  // '-' is never a check character
  return kEicAlphabet[static_cast<size_t>(check)];
}

absl::Status ValidateEic(std::string_view eic, std::string_view field) {
  if (std::optional<Char> bad = FirstBad(eic, [](char c) { return EicValue(c) >= 0; })) {
    return InvalidField(field,
                        absl::StrCat("character ", Show(bad->bytes), " at position ", bad->position,
                                     " is not allowed (only 0-9, A-Z and '-')"));
  }
  if (eic.size() != kEicLength) {
    return InvalidField(field, absl::StrCat("must be 16 characters, got ", eic.size()));
  }
  const char expected = EicCheckChar(eic.substr(0, kEicLength - 1));
  if (expected == '\0') {
    return InvalidField(field,
                        "the first 15 characters have no valid check character: not a valid EIC");
  }
  if (eic.back() != expected) {
    return InvalidField(field, absl::StrCat("check character is ", std::string(1, eic.back()),
                                            ", expected ", std::string(1, expected)));
  }
  return absl::OkStatus();
}

}  // namespace gridbill
