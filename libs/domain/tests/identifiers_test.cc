#include "gridbill/domain/identifiers.h"

#include <catch2/catch.hpp>
#include <string>

#include "gridbill/base/errors.h"

namespace gridbill {
namespace {

std::string BinError(std::string_view bin) {
  absl::Status s = ValidateBin(bin);
  INFO(std::string(bin));
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(s) == "bin");
  return std::string(s.message());
}

std::string EicError(std::string_view eic) {
  absl::Status s = ValidateEic(eic);
  INFO(std::string(eic));
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(s) == "eic");
  return std::string(s.message());
}

TEST_CASE("BIN check digits of the published examples", "[domain][identifiers]") {
  // 9·1 + 9·2 + 0·3 + 7·4 + 4·5 + 0 + 0 + 0 + 0 + 6·10 + 8·11 = 223; 223 mod 11 = 3.
  CHECK(BinCheckDigit("99074000068") == 3);
  CHECK(BinCheckDigit("00074000130") == 7);
  CHECK(BinCheckDigit("96044000015") == 1);
  CHECK(ValidateBin("990740000683").ok());
  CHECK(ValidateBin("000740001307").ok());
  CHECK(ValidateBin("960440000151").ok());
}

TEST_CASE("BIN falls back to the second weighting when the first gives 10",
          "[domain][identifiers]") {
  // Weights 1..11 give 164 ≡ 10; weights 3..11,1,2 give 152 ≡ 9.
  CHECK(BinCheckDigit("99074000180") == 9);
  CHECK(ValidateBin("990740001809").ok());
  CHECK(BinError("990740001800") == "bin: check digit is 0, expected 9");
}

TEST_CASE("BIN with no possible check digit is invalid", "[domain][identifiers]") {
  // Weights 1..11 give 230 ≡ 10 and weights 3..11,1,2 give 164 ≡ 10.
  CHECK(BinCheckDigit("99074000186") == -1);
  for (char last = '0'; last <= '9'; ++last) {
    CHECK(
        BinError(std::string("99074000186") + last) ==
        R"(bin: no check digit exists for "99074000186" (both weightings give 10): not a valid BIN)");
  }
}

TEST_CASE("BIN errors say what is wrong", "[domain][identifiers]") {
  CHECK(BinError("990740000684") == "bin: check digit is 4, expected 3");
  CHECK(BinError("990740000863") == "bin: check digit is 3, expected 1");  // swapped digits
  CHECK(BinError("99074000068") == "bin: must be 12 digits, got 11");
  CHECK(BinError("9907400006830") == "bin: must be 12 digits, got 13");
  CHECK(BinError("") == "bin: must be 12 digits, got 0");
  CHECK(BinError("99O740000683") == "bin: character 'O' at position 3 is not a digit");
  CHECK(BinError("990740000683 ") == "bin: character ' ' at position 13 is not a digit");
  CHECK(BinError("990-740-000-683") == "bin: character '-' at position 4 is not a digit");
  CHECK(BinError("９９0740000683") == "bin: character '９' at position 1 is not a digit");
  absl::Status named = ValidateBin("990740000684", "customer.tin");
  CHECK(named.message() == "customer.tin: check digit is 4, expected 3");
  CHECK(FieldOf(named) == "customer.tin");
}

TEST_CASE("BinCheckDigit needs exactly 11 digits", "[domain][identifiers]") {
  CHECK(BinCheckDigit("9907400006") == -1);
  CHECK(BinCheckDigit("990740000683") == -1);
  CHECK(BinCheckDigit("9907400006X") == -1);
  CHECK(BinCheckDigit("00000000000") == 0);
}

TEST_CASE("EIC check characters of the published examples", "[domain][identifiers]") {
  CHECK(EicCheckChar("10YPL-AREA-----") == 'S');
  CHECK(EicCheckChar("10YDE-RWENET---") == 'I');
  CHECK(EicCheckChar("10YFR-RTE------") == 'C');
  CHECK(EicCheckChar("10YCZ-CEPS-----") == 'N');
  CHECK(ValidateEic("10YPL-AREA-----S").ok());
  CHECK(ValidateEic("10YDE-RWENET---I").ok());
  CHECK(ValidateEic("10YFR-RTE------C").ok());
  CHECK(ValidateEic("10YCZ-CEPS-----N").ok());
}

TEST_CASE("EIC errors say what is wrong", "[domain][identifiers]") {
  CHECK(EicError("10YPL-AREA-----X") == "eic: check character is X, expected S");
  CHECK(EicError("10YDE-RWENET---S") == "eic: check character is S, expected I");
  CHECK(EicError("10YPL-AREA-----") == "eic: must be 16 characters, got 15");
  CHECK(EicError("10YPL-AREA-----SS") == "eic: must be 16 characters, got 17");
  CHECK(EicError("") == "eic: must be 16 characters, got 0");
  CHECK(EicError("10YPl-AREA-----S") ==
        "eic: character 'l' at position 5 is not allowed (only 0-9, A-Z and '-')");
  CHECK(EicError("10ypl-area-----s") ==
        "eic: character 'y' at position 3 is not allowed (only 0-9, A-Z and '-')");
  CHECK(EicError("10YPL AREA-----S") ==
        "eic: character ' ' at position 6 is not allowed (only 0-9, A-Z and '-')");
  // A Cyrillic 'К' that looks like a Latin 'K': shown as typed, counted as one character.
  CHECK(EicError("10YКZ-KEGOC----9") ==
        "eic: character 'К' at position 4 is not allowed (only 0-9, A-Z and '-')");
  CHECK(EicError(std::string("10YPL-AREA-----\0", 16)) ==
        "eic: character '\\x00' at position 16 is not allowed (only 0-9, A-Z and '-')");
  absl::Status named = ValidateEic("10YPL-AREA-----X", "point.eic");
  CHECK(named.message() == "point.eic: check character is X, expected S");
  CHECK(FieldOf(named) == "point.eic");
}

TEST_CASE("EIC whose check would be '-' is invalid", "[domain][identifiers]") {
  CHECK(EicCheckChar("10Z-TEST-000039") == '\0');
  CHECK(EicError("10Z-TEST-000039-") ==
        "eic: the first 15 characters have no valid check character: not a valid EIC");
}

TEST_CASE("EicCheckChar needs exactly 15 allowed characters", "[domain][identifiers]") {
  CHECK(EicCheckChar("10YPL-AREA----") == '\0');
  CHECK(EicCheckChar("10YPL-AREA-----S") == '\0');
  CHECK(EicCheckChar("10YPl-AREA-----") == '\0');
  // All zeros: sum 0, (0 - 1) mod 37 = 36, check value 0.
  CHECK(EicCheckChar("000000000000000") == '0');
}

}  // namespace
}  // namespace gridbill
