// libFuzzer target for the value parsers every import and every RPC uses:
// decimals (prices), money (tenge), dates, BIN and EIC codes. The first
// byte picks the parser; the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gridbill/domain/civil.h"
#include "gridbill/domain/decimal.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/domain/money.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace gridbill;
  switch (data[0] % 5) {
    case 0: {
      auto d = Decimal::Parse(text);
      // What parsed prints as text that parses to the same value.
      if (d.ok()) {
        auto again = Decimal::Parse(d->ToString(static_cast<int>(data[0] / 5) % 7));
        if (!again.ok() || *again != *d) __builtin_trap();
      }
      break;
    }
    case 1: {
      auto m = Money::Parse(text);
      if (m.ok()) {
        auto again = Money::Parse(m->ToString());
        if (!again.ok() || *again != *m) __builtin_trap();
        (void)m->ToGroupedString();
      }
      break;
    }
    case 2: {
      auto day = ParseDate(text);
      if (day.ok()) {
        auto again = ParseDate(FormatDate(*day));
        if (!again.ok() || *again != *day) __builtin_trap();
      }
      break;
    }
    case 3:
      (void)ValidateBin(text);
      break;
    default:
      (void)ValidateEic(text);
      break;
  }
  return 0;
}
