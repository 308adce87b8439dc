#include "fixed_point.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"

namespace gridbill::internal {
namespace {

constexpr uint64_t kPow10[] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

absl::StatusOr<int64_t> ParseFixed(std::string_view text, std::string_view field, int scale) {
  const auto not_a_number = [&](std::string_view hint) {
    return InvalidField(field,
                        absl::StrCat("not a number: ", QuoteInput(text), hint.empty() ? "" : " (",
                                     ToAbsl(hint), hint.empty() ? "" : ")"));
  };
  if (text.empty()) return InvalidField(field, "is empty");

  size_t i = 0;
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') ++i;
  const size_t int_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const size_t int_end = i;
  bool has_point = false;
  size_t frac_begin = i;
  if (i < text.size() && text[i] == '.') {
    has_point = true;
    frac_begin = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  const size_t frac_end = i;

  if (i != text.size()) {
    const char c = text[i];
    if ((c == 'e' || c == 'E') && i > int_begin) return not_a_number("exponents are not accepted");
    if (c == ',') return not_a_number("the decimal separator is '.'");
    if (std::any_of(text.begin(), text.end(), IsSpace)) {
      return not_a_number("spaces are not accepted");
    }
    return not_a_number("");
  }
  if (int_begin == int_end) {
    if (has_point && frac_end > frac_begin) {
      return not_a_number("a digit must precede the decimal point");
    }
    return not_a_number("");
  }
  if (has_point && frac_end == frac_begin) {
    return not_a_number("a digit must follow the decimal point");
  }
  const size_t frac_digits = frac_end - frac_begin;
  if (frac_digits > static_cast<size_t>(scale)) {
    return InvalidField(
        field, absl::StrCat("more than ", scale, " fractional digits in ", QuoteInput(text)));
  }

  // The magnitude of the most negative int64; a positive value may reach one less.
  constexpr unsigned __int128 kLimit = uint64_t{1} << 63;
  const auto out_of_range = [&] {
    return InvalidField(
        field, absl::StrCat("out of range: ", QuoteInput(text), " (magnitude at most ",
                            FormatFixed(std::numeric_limits<int64_t>::max(), scale, 0), ")"));
  };
  unsigned __int128 magnitude = 0;
  for (size_t k = int_begin; k < int_end; ++k) {
    magnitude = magnitude * 10 + static_cast<unsigned>(text[k] - '0');
    // Checked per digit so that any number of digits cannot wrap around.
    if (magnitude > kLimit) return out_of_range();
  }
  magnitude *= kPow10[scale];
  uint64_t fraction = 0;
  for (size_t k = frac_begin; k < frac_end; ++k) {
    fraction = fraction * 10 + static_cast<unsigned>(text[k] - '0');
  }
  magnitude += fraction * kPow10[scale - frac_digits];
  if (magnitude > (negative ? kLimit : kLimit - 1)) return out_of_range();
  if (negative) return static_cast<int64_t>(-static_cast<__int128>(magnitude));
  return static_cast<int64_t>(magnitude);
}

std::string FormatFixed(int64_t units, int scale, int min_fraction, std::string_view group) {
  const uint64_t magnitude =
      units < 0 ? uint64_t{0} - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  const uint64_t whole = magnitude / kPow10[scale];
  const uint64_t fraction = magnitude % kPow10[scale];

  std::string out;
  if (units < 0) out.push_back('-');
  const std::string digits = absl::StrCat(whole);
  for (size_t k = 0; k < digits.size(); ++k) {
    if (!group.empty() && k > 0 && (digits.size() - k) % 3 == 0) out.append(group);
    out.push_back(digits[k]);
  }

  std::string frac(static_cast<size_t>(scale), '0');
  uint64_t rest = fraction;
  for (int k = scale - 1; k >= 0; --k) {
    frac[static_cast<size_t>(k)] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  }
  const size_t keep = static_cast<size_t>(std::clamp(min_fraction, 0, scale));
  while (frac.size() > keep && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) {
    out.push_back('.');
    out.append(frac);
  }
  return out;
}

}  // namespace gridbill::internal
