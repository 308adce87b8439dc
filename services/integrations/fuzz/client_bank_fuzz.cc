// libFuzzer entry of the client_bank parser: any bytes either parse or are refused
// with INVALID_ARGUMENT naming a line; never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "client_bank.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<gridbill::integrations::Statement> st =
      gridbill::integrations::ParseClientBank(input);
  if (!st.ok()) {
    if (st.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    if (st.status().message().substr(0, 5) != "line ") std::abort();
    return 0;
  }
  for (const gridbill::integrations::StatementPayment& p : st->payments) {
    if (p.amount_tiyn <= 0 || p.line <= 0 || p.reference.empty()) std::abort();
  }
  (void)gridbill::integrations::PaymentsCsv(*st);
  return 0;
}
