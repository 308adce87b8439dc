#include "gridbill/base/sha256.h"

#include <catch2/catch.hpp>
#include <string>

namespace gridbill {
namespace {

// Test vectors from FIPS 180-2, appendix B.
TEST_CASE("Sha256Hex of the FIPS 180-2 vectors", "[base][sha256]") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256Hex(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Sha256 returns 32 raw bytes matching the hex form", "[base][sha256]") {
  std::string raw = Sha256("abc");
  REQUIRE(raw.size() == 32);
  CHECK(static_cast<unsigned char>(raw[0]) == 0xba);
  CHECK(static_cast<unsigned char>(raw[31]) == 0xad);
}

TEST_CASE("Sha256 hashes embedded NUL bytes", "[base][sha256]") {
  std::string with_nul("a\0b", 3);
  CHECK(Sha256Hex(with_nul) != Sha256Hex("a"));
  CHECK(Sha256Hex(with_nul) != Sha256Hex("ab"));
}

}  // namespace
TEST_CASE("Sha256Stream over pieces equals Sha256Hex of the whole", "[base][sha256]") {
  const std::string whole = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256Stream stream;
  for (size_t i = 0; i < whole.size(); i += 7) stream.Update(whole.substr(i, 7));
  CHECK(stream.HexDigest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256Stream empty;
  CHECK(empty.HexDigest() == Sha256Hex(""));
}

}  // namespace gridbill
