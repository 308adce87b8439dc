// A valid BIN for test participants, written once (header only, pure: the
// domain tests use it too).
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/domain/identifiers.h"

namespace gridbill::testing {

// A valid BIN derived from n: "9907400" and four digits of n, then the
// check digit (prefixes without one are skipped).
inline std::string MakeBin(int n) {
  for (int k = n;; k += 1000) {
    std::string first11 = absl::StrCat("9907400", absl::StrFormat("%04d", k % 10000));
    const int check = BinCheckDigit(first11);
    if (check >= 0) return absl::StrCat(first11, check);
  }
}

}  // namespace gridbill::testing
