// libFuzzer target for the participants, reference and metering point CSV
// files `gridbillctl import` reads (import_format.cc). The first byte picks
// the format; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/gridbillctl/import_format.h"

namespace {

// Every row is either read or refused, each once.
template <typename File>
void Check(const File& file) {
  if (file.rows.size() + file.rejected.size() != static_cast<size_t>(file.data_rows)) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view csv(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace gridbill::ctl;
  switch (data[0] % 3) {
    case 0:
      if (auto f = ParseParticipantsCsv(csv); f.ok()) Check(*f);
      break;
    case 1:
      if (auto f = ParseReferenceCsv(csv); f.ok()) Check(*f);
      break;
    default:
      if (auto f = ParsePointsCsv(csv); f.ok()) Check(*f);
      break;
  }
  return 0;
}
