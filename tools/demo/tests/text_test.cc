#include "tools/demo/text.h"

#include <catch2/catch.hpp>

namespace gridbill::demo {
namespace {

TEST_CASE("Transliterate maps Russian and Kazakh letters to ASCII", "[text]") {
  CHECK(Transliterate("Экибастуз") == "Ekibastuz");
  CHECK(Transliterate("Қарағанды") == "Qaragandy");
  CHECK(Transliterate("Өскемен") == "Oskemen");
  CHECK(Transliterate("ГРЭС-1") == "GRES-1");
  CHECK(Transliterate("Жұлдыз") == "Zhuldyz");
  CHECK(Transliterate("AES Шульба") == "AES Shulba");
}

TEST_CASE("Lower and Upper change ASCII letters only", "[text]") {
  CHECK(Lower("AbC-1") == "abc-1");
  CHECK(Upper("abc-1") == "ABC-1");
  CHECK(Upper("ж") == "ж");
}

}  // namespace
}  // namespace gridbill::demo
