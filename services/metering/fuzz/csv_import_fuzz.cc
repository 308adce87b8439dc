// libFuzzer target for the CSV readings import (import_parse.cc): the
// first byte picks the declared encoding and unit, the rest is the file.
#include "import_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gridbill::metering::fuzz::ParseOne(gridbill::metering::ImportFormat::kCsv, data, size);
  return 0;
}
