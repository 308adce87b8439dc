#include "gridbill/base/json.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace gridbill::json {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendString(out, s);
  return out;
}

TEST_CASE("AppendString escapes quotes and backslashes", "[base][json]") {
  CHECK(Quoted("") == R"("")");
  CHECK(Quoted("plain") == R"("plain")");
  CHECK(Quoted(R"(say "hi")") == R"("say \"hi\"")");
  CHECK(Quoted(R"(C:\tmp)") == R"("C:\\tmp")");
  CHECK(Quoted("a/b") == R"("a/b")");
}

TEST_CASE("AppendString escapes control characters", "[base][json]") {
  CHECK(Quoted("line1\nline2") == R"("line1\nline2")");
  CHECK(Quoted("\t\r\b\f") == R"("\t\r\b\f")");
  CHECK(Quoted(std::string("a\0b", 3)) == R"("a\u0000b")");
  CHECK(Quoted("\x01\x1f") == R"("\u0001\u001f")");
  CHECK(Quoted("\x7f") == R"("\u007f")");
}

TEST_CASE("AppendString passes valid UTF-8 through", "[base][json]") {
  // Cyrillic, Kazakh letters, the tenge sign, an emoji (4 bytes).
  CHECK(Quoted("Акт Р-1") == "\"Акт Р-1\"");
  CHECK(Quoted("Қазақстан ₸") == "\"Қазақстан ₸\"");
  CHECK(Quoted("\xF0\x9F\x94\x8C") == "\"\xF0\x9F\x94\x8C\"");
}

TEST_CASE("AppendString replaces bytes that are not UTF-8", "[base][json]") {
  // A Windows-1251 "А" (0xC0) on its own, a truncated 2-byte sequence, an
  // overlong '/', and a UTF-16 surrogate encoded in UTF-8.
  CHECK(Quoted("\xC0") == R"("\ufffd")");
  CHECK(Quoted("x\xD0") == R"("x\ufffd")");
  CHECK(Quoted("\xC0\xAF") == R"("\ufffd\ufffd")");
  CHECK(Quoted("\xED\xA0\x80") == R"("\ufffd\ufffd\ufffd")");
}

TEST_CASE("AppendString appends to what is already there", "[base][json]") {
  std::string out = "[";
  AppendString(out, "a");
  out += ",";
  AppendString(out, "b");
  CHECK(out == R"(["a","b")");
}

TEST_CASE("ObjectWriter writes keys in insertion order", "[base][json]") {
  std::string json = ObjectWriter()
                         .Add("level", "info")
                         .Add("msg", std::string_view("invoice \"42\" issued"))
                         .Add("tiyn", int64_t{-308148})
                         .Add("ok", true)
                         .Add("retry", false)
                         .AddRaw("lines", "[1,2]")
                         .Finish();
  CHECK(json == R"({"level":"info","msg":"invoice \"42\" issued","tiyn":-308148,"ok":true,)"
                R"("retry":false,"lines":[1,2]})");
}

TEST_CASE("ObjectWriter with nothing added is an empty object", "[base][json]") {
  CHECK(ObjectWriter().Finish() == "{}");
}

TEST_CASE("ObjectWriter escapes keys", "[base][json]") {
  CHECK(ObjectWriter().Add("a\"b", int64_t{1}).Finish() == R"({"a\"b":1})");
}

TEST_CASE("ObjectWriter writes every integer type as a number", "[base][json]") {
  std::string json = ObjectWriter()
                         .Add("int", 7)
                         .Add("size", size_t{12})
                         .Add("max_u64", std::numeric_limits<uint64_t>::max())
                         .Add("min_i64", std::numeric_limits<int64_t>::min())
                         .Finish();
  CHECK(json == R"({"int":7,"size":12,"max_u64":18446744073709551615,)"
                R"("min_i64":-9223372036854775808})");
}

TEST_CASE("ObjectWriter writes doubles exactly and non-finite ones as null", "[base][json]") {
  CHECK(ObjectWriter().Add("x", 0.1).Finish() == R"({"x":0.1})");
  CHECK(ObjectWriter().Add("x", 2.5).Finish() == R"({"x":2.5})");
  CHECK(ObjectWriter().Add("x", -3.0).Finish() == R"({"x":-3})");
  CHECK(ObjectWriter().Add("x", 0.1 + 0.2).Finish() == R"({"x":0.30000000000000004})");
  CHECK(ObjectWriter().Add("x", 1e300).Finish() == R"({"x":1e+300})");
  CHECK(ObjectWriter().Add("x", std::nan("")).Finish() == R"({"x":null})");
  CHECK(ObjectWriter().Add("x", -std::numeric_limits<double>::infinity()).Finish() ==
        R"({"x":null})");
}

TEST_CASE("ObjectWriter can be finished by move or by copy", "[base][json]") {
  ObjectWriter w;
  w.Add("a", 1);
  CHECK(w.Finish() == R"({"a":1})");
  w.Add("b", 2);  // the copy left the writer usable
  CHECK(std::move(w).Finish() == R"({"a":1,"b":2})");
}

}  // namespace
}  // namespace gridbill::json
