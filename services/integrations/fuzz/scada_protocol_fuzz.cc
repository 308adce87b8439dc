// libFuzzer entry of the SCADA line protocol: the first line as HELLO, every
// other as a value line; each is accepted or refused with INVALID_ARGUMENT
// naming its line, and an accepted value formats back to a line that parses
// to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scada_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  int line_no = 0;
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    const absl::string_view line = input.substr(0, nl);
    input = nl == absl::string_view::npos ? absl::string_view() : input.substr(nl + 1);
    ++line_no;
    if (line_no == 1) {
      absl::StatusOr<std::string> hello = gridbill::integrations::ParseScadaHello(line, 1);
      if (!hello.ok() && hello.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
      continue;
    }
    auto v = gridbill::integrations::ParseScadaLine(line, line_no);
    if (!v.ok()) {
      if (v.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
      continue;
    }
    if (!v->has_value()) continue;
    const std::string again = gridbill::integrations::FormatScadaLine(**v);
    auto back = gridbill::integrations::ParseScadaLine(again, line_no);
    if (!back.ok() || !back->has_value()) std::abort();
    const auto& a = **v;
    const auto& b = **back;
    if (a.seq != b.seq || a.point_code != b.point_code || a.channel != b.channel ||
        a.interval_start != b.interval_start || a.value_wh != b.value_wh ||
        a.quality != b.quality || a.status != b.status) {
      std::abort();
    }
  }
  return 0;
}
