// libFuzzer target for the 80020 XML import (import_parse.cc, expat): the
// first byte picks the declared encoding and unit, the rest is the file.
#include "import_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gridbill::metering::fuzz::ParseOne(gridbill::metering::ImportFormat::kXml80020, data, size);
  return 0;
}
