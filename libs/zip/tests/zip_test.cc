#include "gridbill/zip/zip.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/testing/shell.h"

namespace gridbill::zip {
namespace {

// An archive of a whole entry, a streamed one of `pieces` lines and an
// empty one, handed out in pieces of `chunk` bytes.
std::string Sample(size_t chunk, int pieces, std::vector<size_t>* sizes = nullptr) {
  std::string out;
  Writer w(
      [&](std::string_view piece) {
        if (sizes != nullptr) sizes->push_back(piece.size());
        out.append(piece);
        return absl::OkStatus();
      },
      chunk, 1);
  REQUIRE(w.Add("[Content_Types].xml", "<Types/>").ok());
  REQUIRE(w.Begin("xl/worksheets/sheet1.xml").ok());
  for (int i = 0; i < pieces; ++i) {
    REQUIRE(w.Write(absl::StrCat("<row r=\"", i + 1, "\"><c><v>", i * 7, "</v></c></row>")).ok());
  }
  REQUIRE(w.End().ok());
  REQUIRE(w.Add("docProps/empty.xml", "").ok());
  REQUIRE(w.Finish().ok());
  return out;
}

std::string Rows(int pieces) {
  std::string want;
  for (int i = 0; i < pieces; ++i) {
    absl::StrAppend(&want, "<row r=\"", i + 1, "\"><c><v>", i * 7, "</v></c></row>");
  }
  return want;
}

TEST_CASE("the archive reads back: names, bytes, CRC-32", "[zip]") {
  const std::string a = Sample(4096, 20'000);
  absl::StatusOr<std::vector<Entry>> entries = ReadArchive(a);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].name == "[Content_Types].xml");
  CHECK((*entries)[1].name == "xl/worksheets/sheet1.xml");
  CHECK((*entries)[2].name == "docProps/empty.xml");
  CHECK((*entries)[1].method == kDeflated);
  const std::string want = Rows(20'000);
  CHECK((*entries)[1].size == want.size());
  CHECK((*entries)[1].data.size() < want.size() / 3);  // deflated
  CHECK(*Inflate((*entries)[0]) == "<Types/>");
  CHECK(*Inflate((*entries)[1]) == want);
  CHECK(Inflate((*entries)[2])->empty());
}

TEST_CASE("the output gets pieces of exactly the chunk size but the last", "[zip]") {
  std::vector<size_t> sizes;
  const std::string a = Sample(1000, 5000, &sizes);
  REQUIRE(sizes.size() > 3);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) CHECK(sizes[i] == 1000);
  CHECK(sizes.back() > 0);
  CHECK(sizes.back() <= 1000);
}

TEST_CASE("the same entries give the same bytes, whatever the chunk size", "[zip]") {
  const std::string a = Sample(4096, 3000);
  CHECK(Sample(4096, 3000) == a);
  CHECK(Sample(7, 3000) == a);
  CHECK(Sample(4096, 3001) != a);
}

TEST_CASE("Python's zipfile and unzip -t find every CRC valid", "[zip]") {
  const gridbill::testing::ShellResult r =
      gridbill::testing::CheckZipWithTools(Sample(4096, 50'000));
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("xl/worksheets/sheet1.xml " + std::to_string(Rows(50'000).size()) +
                   " (1980, 1, 1, 0, 0, 0)") != std::string::npos);
  CHECK(r.out.find("No errors detected") != std::string::npos);
}

TEST_CASE("entries copied from another archive keep their bytes", "[zip]") {
  const std::string a = Sample(4096, 1000);
  absl::StatusOr<std::vector<Entry>> from = ReadArchive(a);
  REQUIRE(from.ok());
  std::string b;
  Writer w(
      [&](std::string_view piece) {
        b.append(piece);
        return absl::OkStatus();
      },
      4096, 1);
  for (const Entry& e : *from) REQUIRE(w.AddCopy(e).ok());
  REQUIRE(w.Finish().ok());
  absl::StatusOr<std::vector<Entry>> to = ReadArchive(b);
  REQUIRE(to.ok());
  REQUIRE(to->size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK((*to)[i].name == (*from)[i].name);
    CHECK((*to)[i].data == (*from)[i].data);
    CHECK(*Inflate((*to)[i]) == *Inflate((*from)[i]));
  }
}

TEST_CASE("a damaged archive is an error, not wrong bytes", "[zip]") {
  std::string a = Sample(4096, 1000);
  CHECK(!ReadArchive(a.substr(0, a.size() - 30)).ok());
  CHECK(!ReadArchive("PK").ok());
  absl::StatusOr<std::vector<Entry>> entries = ReadArchive(a);
  REQUIRE(entries.ok());
  // A byte of the streamed entry's deflated data changed in place.
  const size_t at = static_cast<size_t>((*entries)[1].data.data() - a.data()) + 40;
  a[at] = static_cast<char>(a[at] ^ 0x55);
  entries = ReadArchive(a);
  REQUIRE(entries.ok());
  CHECK(!Inflate((*entries)[1]).ok());
}

TEST_CASE("an output error stops the writer", "[zip]") {
  int calls = 0;
  Writer w(
      [&](std::string_view) {
        ++calls;
        return absl::UnavailableError("client went away");
      },
      40, 1);
  REQUIRE(w.Begin("a.xml").ok());  // 35 bytes: nothing out yet
  CHECK(calls == 0);
  REQUIRE(w.Write("more").ok());
  CHECK(absl::IsUnavailable(w.End()));  // the first piece out fails
  CHECK(calls == 1);
  CHECK(absl::IsUnavailable(w.Write("more")));
  CHECK(absl::IsUnavailable(w.Finish()));
  CHECK(calls == 1);
}

TEST_CASE("misuse is refused", "[zip]") {
  Writer w([](std::string_view) { return absl::OkStatus(); }, 4096, 1);
  CHECK(absl::IsFailedPrecondition(w.Write("x")));
  Writer v([](std::string_view) { return absl::OkStatus(); }, 4096, 1);
  REQUIRE(v.Begin("a").ok());
  CHECK(absl::IsFailedPrecondition(v.Finish()));
}

}  // namespace
}  // namespace gridbill::zip
