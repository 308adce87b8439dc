// libFuzzer target for the payments file an accountant imports from the
// bank or ERP (ParsePaymentsCsv in accounts.cc).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "accounts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  auto rows = gridbill::invoicing::ParsePaymentsCsv(csv);
  if (rows.ok()) {
    for (const auto& row : *rows) {
      // A payment is a positive amount on a named line.
      if (row.line < 2 || row.amount_tiyn <= 0) __builtin_trap();
    }
  }
  return 0;
}
