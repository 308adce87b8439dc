// The report definitions, the parameter checks and the tables, without a
// database: R2's change against the year before, R8's month rows, CSV.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

#include "analytics_reports.h"
#include "callers.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/testing/shell.h"
#include "gridbill/zip/zip.h"
#include "pdf_export.h"
#include "reports.h"
#include "xlsx.h"

namespace gridbill::reporting {
namespace {

using testing::Months;
using testing::Operator;
using testing::Participant;

TEST_CASE("every report documents every column in both languages") {
  for (const ReportDef& r : Catalog()) {
    INFO(r.code);
    CHECK(!r.title_en.empty());
    CHECK(!r.title_ru.empty());
    CHECK(!r.columns.empty());
    for (const Column& c : r.columns) {
      INFO(c.name);
      CHECK(!c.label_en.empty());
      CHECK(!c.label_ru.empty());
      CHECK(!c.definition.empty());
    }
  }
}

TEST_CASE("bad parameters are refused naming the parameter") {
  const absl::CivilMonth jan(2026, 1);
  auto q = CheckQuery("R99", Months(jan, jan), Operator());
  REQUIRE(absl::IsInvalidArgument(q.status()));
  CHECK(FieldOf(q.status()) == "report");
  q = CheckQuery("R2", Params{}, Operator());
  CHECK(FieldOf(q.status()) == "parameters.period_from");
  q = CheckQuery("R2", Months(jan, jan - 1), Operator());
  REQUIRE(absl::IsInvalidArgument(q.status()));
  CHECK(FieldOf(q.status()) == "parameters.period_to");
  Params p = Months(jan, jan);
  p.service_type = 9;
  CHECK(FieldOf(CheckQuery("R2", p, Operator()).status()) == "parameters.service_type");
  p = Months(jan, jan);
  p.participant_id = "P-1";
  CHECK(FieldOf(CheckQuery("R8", p, Operator()).status()) == "parameters.participant_id");
  // A participant: R2 about itself only, never R8.
  CHECK(absl::IsPermissionDenied(CheckQuery("R8", Months(jan, jan), Participant("P-1")).status()));
  p.participant_id = "P-2";
  CHECK(absl::IsPermissionDenied(CheckQuery("R2", p, Participant("P-1")).status()));
  auto own = CheckQuery("R2", Months(jan, jan), Participant("P-1"));
  REQUIRE(own.ok());
  CHECK(own->participant_id == "P-1");
}

TEST_CASE("R2 compares each month with the same month a year before") {
  auto q =
      CheckQuery("R2", Months(absl::CivilMonth(2026, 1), absl::CivilMonth(2026, 2)), Operator());
  REQUIRE(q.ok());
  const std::vector<ServiceMonth> months = {
      {absl::CivilMonth(2025, 1), "P-1", "One", "KZ-11", 1, 1000, 20000, 2400, 22400},
      {absl::CivilMonth(2026, 1), "P-1", "One", "KZ-11", 1, 1100, 23333, 3733, 27066},
      {absl::CivilMonth(2026, 2), "P-1", "One", "KZ-11", 1, 900, 18000, 2880, 20880},
  };
  const Table t = BuildR2(*q, months);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"2026-01", "P-1", "One", "KZ-11", "transmission",
                                              "1100", "23333", "3733", "27066", "1000", "20000",
                                              "16.67"});
  // No month a year before: no change.
  CHECK(t.rows[1][9] == "0");
  CHECK(t.rows[1][11] == "");
}

TEST_CASE("the CSV export has a header of labels and parses back to the table") {
  auto q =
      CheckQuery("R8", Months(absl::CivilMonth(2026, 9), absl::CivilMonth(2026, 10)), Operator());
  REQUIRE(q.ok());
  PeriodDocuments d;
  d.period = absl::CivilMonth(2026, 9);
  d.participants = 2;
  d.contracts = 3;
  d.by_type[1] = 3;
  d.amount_tiyn = 100;
  d.vat_tiyn = 16;
  d.total_tiyn = 116;
  d.invoice_runs = "ir-1";
  d.balance_runs = "br-1, \"final\"";
  const Table t = BuildR8(*q, {d}, {{absl::CivilMonth(2026, 10), 1, 50}});
  REQUIRE(t.rows.size() == 2);
  std::string csv;
  int calls = 0;
  REQUIRE(WriteCsv(t, Language::kRu, 10, [&](std::string_view chunk, int64_t) {
            csv.append(chunk);
            ++calls;
            return absl::OkStatus();
          }).ok());
  CHECK(calls >= 2);
  const CsvParseResult parsed = ParseCsv(csv);
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.records.size() == 3);
  CHECK(parsed.records[0].fields[0] == "Период");
  CHECK(parsed.records[1].fields == t.rows[0]);
  CHECK(parsed.records[2].fields == t.rows[1]);
  CHECK(parsed.records[2].fields[12] == "50");
}

// R2 over two years of three participants x two services.
Table SampleR2() {
  static const absl::StatusOr<Query> q =
      CheckQuery("R2", Months(absl::CivilMonth(2026, 1), absl::CivilMonth(2026, 12)), Operator());
  std::vector<ServiceMonth> months;
  for (absl::CivilMonth m(2025, 1); m <= absl::CivilMonth(2026, 12); ++m) {
    for (int p = 1; p <= 3; ++p) {
      for (int s = 1; s <= 2; ++s) {
        const int64_t k = (m.year() - 2024) * 100 + m.month() * 7 + p * 13 + s;
        months.push_back({m, absl::StrCat("P-", p), absl::StrCat("Участник \"", p, "\", ТОО"),
                          "KZ-11", s, k * 1'000'000, k * 2'000'000 / 10, k * 32'000, k * 232'000});
      }
    }
  }
  return BuildR2(*q, months);
}

std::string Xlsx(const Table& t, Language language) {
  std::string out;
  REQUIRE(WriteXlsx(t, language, std::filesystem::temp_directory_path().string(), 4096,
                    [&](std::string_view chunk, int64_t) {
                      out.append(chunk);
                      return absl::OkStatus();
                    })
              .ok());
  return out;
}

TEST_CASE("the XLSX export is a zip with a sheet and a chart, byte-identical twice") {
  const Table t = SampleR2();
  REQUIRE(t.rows.size() == 72);
  const std::string first = Xlsx(t, Language::kEn);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // zip times have 2 s steps
  const std::string second = Xlsx(t, Language::kEn);
  CHECK(first.substr(0, 2) == "PK");
  CHECK(first.find("xl/charts/chart1.xml") != std::string::npos);
  CHECK(first.find("xl/worksheets/sheet1.xml") != std::string::npos);
  CHECK(first == second);
  CHECK(Xlsx(t, Language::kRu) != first);
}

// LibreOffice (headless) opens the workbook without repair and writes it
// back as CSV: the numbers are the table's.
// LibreOffice (headless) opens the workbook and writes it back as CSV,
// cells as shown.
CsvParseResult LibreOfficeCsv(const std::string& workbook) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-xlsx-", getpid());
  std::filesystem::create_directories(dir);
  const std::filesystem::path xlsx = dir / "book.xlsx";
  {
    std::ofstream f(xlsx, std::ios::binary);
    f << workbook;
  }
  const std::string cmd = absl::StrCat(
      "soffice -env:UserInstallation=file://", (dir / "profile").string(),
      " --headless --convert-to csv:\"Text - txt - csv (StarCalc)\":44,34,76 --outdir ",
      dir.string(), " ", xlsx.string(), " >", (dir / "soffice.log").string(), " 2>&1");
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(dir / "book.csv", std::ios::binary);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove_all(dir);
  return ParseCsv(text.str());
}

TEST_CASE("LibreOffice converts the XLSX to CSV with the table's numbers") {
  const Table t = SampleR2();
  const CsvParseResult csv = LibreOfficeCsv(Xlsx(t, Language::kEn));
  REQUIRE(csv.errors.empty());
  REQUIRE(csv.records.size() == t.rows.size() + 1);
  CHECK(csv.records[0].fields[0] == "Period");
  for (size_t i = 0; i < t.rows.size(); ++i) {
    INFO("row " << i + 1);
    const std::vector<std::string>& want = t.rows[i];
    std::vector<std::string> got = csv.records[i + 1].fields;
    got.resize(want.size());
    // Numbers come back as shown: digits grouped with commas.
    for (size_t c = 5; c < got.size(); ++c) got[c] = absl::StrReplaceAll(got[c], {{",", ""}});
    CHECK(got == want);
  }
}

std::string Pdf(const Table& t, Language language) {
  static const absl::StatusOr<Query> q =
      CheckQuery("R2", Months(absl::CivilMonth(2026, 1), absl::CivilMonth(2026, 12)), Operator());
  std::string out;
  REQUIRE(WritePdf(t, *q, language, 4096, [&](std::string_view chunk, int64_t) {
            out.append(chunk);
            return absl::OkStatus();
          }).ok());
  return out;
}

using ::gridbill::testing::Shell;

TEST_CASE("the PDF export passes qpdf --check, reads back as text and is byte-identical twice") {
  const Table t = SampleR2();
  const std::string first = Pdf(t, Language::kRu);
  CHECK(first.substr(0, 5) == "%PDF-");
  CHECK(Pdf(t, Language::kRu) == first);
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-r2-", getpid(), ".pdf");
  {
    std::ofstream f(path, std::ios::binary);
    f << first;
  }
  const auto [check, check_out] = Shell(absl::StrCat("qpdf --check ", path.string(), " 2>&1"));
  INFO(check_out);
  CHECK(check == 0);
  const auto [text_status, text] =
      Shell(absl::StrCat("pdftotext -layout -enc UTF-8 ", path.string(), " - 2>&1"));
  CHECK(text_status == 0);
  CHECK(text.find("R2 Объёмы услуг и выручка") != std::string::npos);
  CHECK(text.find("Период: 2026-01 .. 2026-12") != std::string::npos);
  CHECK(text.find("Участник") != std::string::npos);
  // Every row is on some page: the last participant of the last month.
  CHECK(text.find("2026-12") != std::string::npos);
  std::filesystem::remove(path);
}

// A report of every kind of cell, with text that needs escaping, a
// number that is not one and an empty cell.
const ReportDef& EveryKind() {
  static const ReportDef r = [] {
    ReportDef d;
    d.code = "RX";
    d.title_en = "Every kind";
    d.title_ru = "Все виды";
    d.columns = {{"period", "Period", "Период", ColumnType::kPeriod, ""},
                 {"date", "Date", "Дата", ColumnType::kDate, ""},
                 {"name", "Name", "Имя", ColumnType::kText, ""},
                 {"amount_net_tiyn", "Amount", "Сумма", ColumnType::kMoneyTiyn, ""},
                 {"share", "Share", "Доля", ColumnType::kPercent, ""}};
    return d;
  }();
  return r;
}

TEST_CASE("the XLSX sheet holds each kind of cell as Excel reads it, every CRC valid") {
  Table t;
  t.report = &EveryKind();
  t.rows = {{"2026-01", "2026-03-31", " a<b>&c\x01 ", "-1234567", "12.5"},
            {"2026-02", "2026-02-28", "Участник \"1\", ТОО", "n/a", ""},
            {"", "", "", "", ""}};
  std::vector<std::pair<size_t, int64_t>> pieces;
  std::string file;
  REQUIRE(WriteXlsx(t, Language::kEn, std::filesystem::temp_directory_path().string(), 1024,
                    [&](std::string_view chunk, int64_t rows) {
                      pieces.emplace_back(chunk.size(), rows);
                      file.append(chunk);
                      return absl::OkStatus();
                    })
              .ok());
  // Chunks of the size asked, progress rising to every row.
  REQUIRE(pieces.size() > 2);
  for (size_t i = 0; i + 1 < pieces.size(); ++i) CHECK(pieces[i].first == 1024);
  for (size_t i = 1; i < pieces.size(); ++i) CHECK(pieces[i].second >= pieces[i - 1].second);
  CHECK(pieces.back().second == 3);

  absl::StatusOr<std::vector<zip::Entry>> entries = zip::ReadArchive(file);
  REQUIRE(entries.ok());
  std::string sheet;
  bool chart = false;
  for (const zip::Entry& e : *entries) {
    INFO(e.name);
    absl::StatusOr<std::string> bytes = zip::Inflate(e);  // checks the CRC-32
    REQUIRE(bytes.ok());
    if (e.name == "xl/worksheets/sheet1.xml") sheet = *bytes;
    chart = chart || e.name == "xl/charts/chart1.xml";
  }
  CHECK(chart);
  INFO(sheet);
  // Months and days are serial days (2026-01-01 is 46023) in the date styles.
  CHECK(sheet.find("<row r=\"2\"><c r=\"A2\" s=\"4\"><v>46023</v></c>"
                   "<c r=\"B2\" s=\"5\"><v>46112</v></c>") != std::string::npos);
  CHECK(sheet.find("<c r=\"A3\" s=\"4\"><v>46054</v></c><c r=\"B3\" s=\"5\"><v>46081</v></c>") !=
        std::string::npos);
  CHECK(sheet.find("<t xml:space=\"preserve\"> a&lt;b&gt;&amp;c_x0001_ </t>") != std::string::npos);
  CHECK(sheet.find("<c r=\"D2\" s=\"2\"><v>-1234567</v></c><c r=\"E2\" s=\"3\"><v>12.5</v></c>") !=
        std::string::npos);
  // Not a number: kept as text; an empty cell and an empty row are left out.
  CHECK(sheet.find("<c r=\"D3\" t=\"inlineStr\"><is><t>n/a</t></is></c>") != std::string::npos);
  CHECK(sheet.find("E3") == std::string::npos);
  CHECK(sheet.find("<row r=\"4\"") == std::string::npos);
  // The frozen header from libxlsxwriter, with its labels.
  CHECK(sheet.find("state=\"frozen\"") != std::string::npos);
  CHECK(sheet.find("<t>Amount</t>") != std::string::npos);

  const gridbill::testing::ShellResult r = gridbill::testing::CheckZipWithTools(file);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("xl/worksheets/sheet1.xml ") != std::string::npos);
  CHECK(r.out.find("No errors detected") != std::string::npos);
}

TEST_CASE("an XLSX of no rows has the header and no chart") {
  Table t;
  t.report = &EveryKind();
  const std::string file = Xlsx(t, Language::kRu);
  absl::StatusOr<std::vector<zip::Entry>> entries = zip::ReadArchive(file);
  REQUIRE(entries.ok());
  for (const zip::Entry& e : *entries) CHECK(e.name.find("chart") == std::string::npos);
  const auto sheet = std::find_if(entries->begin(), entries->end(), [](const zip::Entry& e) {
    return e.name == "xl/worksheets/sheet1.xml";
  });
  REQUIRE(sheet != entries->end());
  const std::string xml = *zip::Inflate(*sheet);
  CHECK(xml.find("<t>Сумма</t>") != std::string::npos);
  CHECK(xml.find("<row r=\"2\"") == std::string::npos);
}

TEST_CASE("an XLSX text cell is cut to the 32,767 characters Excel holds") {
  Table t;
  t.report = &EveryKind();
  std::string longest;
  for (int i = 0; i < 20'000; ++i) longest += "ж";  // two bytes a character
  t.rows = {{"2026-01", "", longest + longest, "1", ""}};
  const std::string file = Xlsx(t, Language::kEn);
  absl::StatusOr<std::vector<zip::Entry>> entries = zip::ReadArchive(file);
  REQUIRE(entries.ok());
  for (const zip::Entry& e : *entries) {
    if (e.name != "xl/worksheets/sheet1.xml") continue;
    const std::string xml = *zip::Inflate(e);
    std::string cut;
    for (int i = 0; i < 32'767; ++i) cut += "ж";
    CHECK(xml.find("<t>" + cut + "</t>") != std::string::npos);
    CHECK(xml.find("<v>1</v>") != std::string::npos);
  }
}

TEST_CASE("LibreOffice shows each kind of XLSX cell as the table has it") {
  Table t;
  t.report = &EveryKind();
  t.rows = {{"2026-01", "2026-03-31", " a<b>&c ", "-1234567", "12.5"},
            {"2026-02", "2024-02-29", "Участник \"1\", ТОО", "n/a", "0.25"}};
  const CsvParseResult csv = LibreOfficeCsv(Xlsx(t, Language::kRu));
  REQUIRE(csv.errors.empty());
  REQUIRE(csv.records.size() == 3);
  CHECK(csv.records[0].fields ==
        std::vector<std::string>{"Период", "Дата", "Имя", "Сумма", "Доля"});
  CHECK(csv.records[1].fields ==
        std::vector<std::string>{"2026-01", "2026-03-31", " a<b>&c ", "-1,234,567", "12.50"});
  CHECK(csv.records[2].fields ==
        std::vector<std::string>{"2026-02", "2024-02-29", "Участник \"1\", ТОО", "n/a", "0.25"});
}

// R1 of two nodes over two months, as the read model holds balance's figures.
Table SampleR1(const Query& q) {
  std::vector<NodeMonth> months;
  for (absl::CivilMonth m(2026, 9); m <= absl::CivilMonth(2026, 10); ++m) {
    for (int n = 1; n <= 2; ++n) {
      NodeMonth x;
      x.period = m;
      x.node_code = absl::StrCat("N-", n);
      x.kind = 2;
      x.inflow_wh = 1'000'000 * n + m.month();
      x.outflow_wh = 970'000 * n;
      x.consumption_wh = 612'345 * n + m.month();
      x.generation_wh = 801'234 * n;
      x.losses_wh = x.inflow_wh - x.outflow_wh;
      x.losses_percent = "3.0000";
      x.normative_loss_percent = "3.5";
      x.balance_run_id = absl::StrCat("br-", m.month());
      months.push_back(x);
    }
  }
  return BuildR1(q, months);
}

TEST_CASE("R1's consumption and generation carry their labels in CSV, XLSX and PDF") {
  const absl::StatusOr<Query> q =
      CheckQuery("R1", Months(absl::CivilMonth(2026, 9), absl::CivilMonth(2026, 10)), Operator());
  REQUIRE(q.ok());
  const Table t = SampleR1(*q);
  REQUIRE(t.rows.size() == 4);
  auto csv_of = [&](Language language) {
    std::string csv;
    REQUIRE(WriteCsv(t, language, 64, [&](std::string_view chunk, int64_t) {
              csv.append(chunk);
              return absl::OkStatus();
            }).ok());
    return csv;
  };
  for (const Language language : {Language::kEn, Language::kRu}) {
    const std::string csv = csv_of(language);
    CHECK(csv_of(language) == csv);  // the same bytes twice
    const CsvParseResult parsed = ParseCsv(csv);
    REQUIRE(parsed.errors.empty());
    REQUIRE(parsed.records.size() == 5);
    const std::vector<std::string>& head = parsed.records[0].fields;
    REQUIRE(head.size() == 13);
    CHECK(head[5] == (language == Language::kEn ? "Consumption, Wh" : "Потребление, Вт·ч"));
    CHECK(head[6] == (language == Language::kEn ? "Generation, Wh" : "Генерация, Вт·ч"));
    CHECK(parsed.records[4].fields == t.rows[3]);
    CHECK(parsed.records[4].fields[5] == "1224700");  // 612,345 x 2 + 10
    CHECK(parsed.records[4].fields[6] == "1602468");
  }

  // XLSX: LibreOffice reads the labels and the numbers back.
  const std::string xlsx = Xlsx(t, Language::kRu);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // zip times have 2 s steps
  CHECK(Xlsx(t, Language::kRu) == xlsx);
  const CsvParseResult book = LibreOfficeCsv(xlsx);
  REQUIRE(book.errors.empty());
  REQUIRE(book.records.size() == 5);
  CHECK(book.records[0].fields[5] == "Потребление, Вт·ч");
  CHECK(book.records[0].fields[6] == "Генерация, Вт·ч");
  for (size_t i = 0; i < t.rows.size(); ++i) {
    INFO("row " << i + 1);
    for (size_t c : {5, 6}) {
      CHECK(absl::StrReplaceAll(book.records[i + 1].fields[c], {{",", ""}}) == t.rows[i][c]);
    }
  }

  // PDF: the labels whole (on two lines where the column is narrow) and the figures.
  for (const Language language : {Language::kEn, Language::kRu}) {
    std::string pdf;
    auto write = [&] {
      std::string out;
      REQUIRE(WritePdf(t, *q, language, 4096, [&](std::string_view chunk, int64_t) {
                out.append(chunk);
                return absl::OkStatus();
              }).ok());
      return out;
    };
    pdf = write();
    CHECK(write() == pdf);
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / absl::StrCat("gridbill-r1-", getpid(), ".pdf");
    {
      std::ofstream f(path, std::ios::binary);
      f << pdf;
    }
    const auto [check, check_out] = Shell(absl::StrCat("qpdf --check ", path.string(), " 2>&1"));
    INFO(check_out);
    CHECK(check == 0);
    const auto [status, raw] = Shell(absl::StrCat("pdftotext -enc UTF-8 ", path.string(), " -"));
    std::filesystem::remove(path);
    REQUIRE(status == 0);
    // Digits are grouped with narrow no-break spaces.
    const std::string text = absl::StrReplaceAll(raw, {{"\u202F", " "}, {"\u00A0", " "}});
    INFO(text);
    if (language == Language::kEn) {
      CHECK(absl::StrContains(text, "Consumption,"));
      CHECK(absl::StrContains(text, "Generation,"));
    } else {
      CHECK(absl::StrContains(text, "Потребление,"));
      CHECK(absl::StrContains(text, "Генерация,"));
    }
    CHECK(!absl::StrContains(text, "…"));  // no label cut
    CHECK(absl::StrContains(text, "1 224 700"));
    CHECK(absl::StrContains(text, "1 602 468"));
  }
}

}  // namespace
}  // namespace gridbill::reporting
