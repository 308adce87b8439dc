#include "tools/gridbillctl/import_format.h"

#include <catch2/catch.hpp>

#include "google/protobuf/util/message_differencer.h"
#include "gridbill/base/csv.h"
#include "tools/demo/demo_data.h"

namespace gridbill::ctl {
namespace {

const char kReferenceHeader[] =
    "kind,code,name,name_kk,valid_from,valid_to,kato_code,nominal_kv,region_code,"
    "voltage_level_code,from_substation_code,to_substation_code,length_m,bik,bin\n";

TEST_CASE("reference rows become records with the kind's details", "[import]") {
  const std::string csv = std::string(kReferenceHeader) +
                          "region,KZ-55,Павлодарская область,Павлодар облысы,1991-12-16,,"
                          "550000000,,,,,,,,\n"
                          "substation,PS-55-0001,\"ПС 500 кВ «Экибастузская»\",,2019-01-01,"
                          "2022-06-07,,,KZ-55,500,,,,,\n"
                          "POWER_LINE,VL-1,ВЛ,,2019-01-01,,,,,110,PS-55-0001,PS-55-0002,9651,,\n"
                          "bank,HSBKKZKX,Halyk,,1993-01-01,,,,,,,,,HSBKKZKX,990740000683\n";
  auto file = ParseReferenceCsv(csv);
  REQUIRE(file.ok());
  CHECK(file->data_rows == 4);
  REQUIRE(file->rejected.empty());
  REQUIRE(file->rows.size() == 4);
  CHECK(file->rows[0].line == 2);
  CHECK(file->rows[0].value.region().kato_code() == "550000000");
  const auto& sub = file->rows[1].value;
  CHECK(sub.kind() == v1::REFERENCE_KIND_SUBSTATION);
  CHECK(sub.name() == "ПС 500 кВ «Экибастузская»");
  CHECK(sub.valid_to().year() == 2022);
  CHECK(sub.substation().region_code() == "KZ-55");
  CHECK(sub.substation().voltage_level_code() == "500");
  CHECK(file->rows[2].value.power_line().length_m() == 9651);
  CHECK(file->rows[3].value.bank().bin() == "990740000683");
}

TEST_CASE("row problems are rejections naming line and column, other rows go on", "[import]") {
  const std::string csv = std::string(kReferenceHeader) +
                          "regio,KZ-1,X,,2020-01-01,,1,,,,,,,,\n"                 // line 2
                          "region,KZ-2,X,,2020-02-30,,1,,,,,,,,\n"                // line 3
                          "region,KZ-3,X,,2020-01-01,,1,,,,,,,\n"                 // line 4
                          "region,KZ-4,X,,2020-01-01,,1,110,,,,,,,\n"             // line 5
                          "region,KZ-5,\"bad\"quote,,2020-01-01,,1,,,,,,,,\n"     // line 6
                          "voltage_level,V,X,,2020-01-01,,,abc,,,,,,,\n"          // line 7
                          "region,KZ-7,\"two\nlines\",,2020-01-01,,7,,,,,,,,\n";  // line 8
  auto file = ParseReferenceCsv(csv);
  REQUIRE(file.ok());
  CHECK(file->data_rows == 7);
  REQUIRE(file->rows.size() == 1);
  CHECK(file->rows[0].line == 8);
  CHECK(file->rows[0].value.name() == "two\nlines");
  REQUIRE(file->rejected.size() == 6);
  CHECK_THAT(file->rejected[0].message,
             Catch::StartsWith("line 2, column 1 (kind): unknown reference kind \"regio\""));
  CHECK_THAT(file->rejected[1].message,
             Catch::StartsWith("line 3, column 5 (valid_from): \"2020-02-30\" is not a calendar"));
  CHECK(file->rejected[2].message == "line 4: expected 15 fields as in the header, found 14");
  CHECK_THAT(file->rejected[3].message,
             Catch::StartsWith("line 5, column 8 (nominal_kv): not used for kind region"));
  CHECK_THAT(file->rejected[4].message, Catch::StartsWith("line 6, column 3 (name): "));
  CHECK_THAT(file->rejected[5].message, Catch::StartsWith("line 7, column 8 (nominal_kv): "));
}

TEST_CASE("the header is required and checked", "[import]") {
  CHECK_FALSE(ParseReferenceCsv("").ok());
  auto unknown = ParseReferenceCsv("kind,code,name,valid_from,colour\n");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(std::string(unknown.status().message()), Catch::Contains("unknown column \"colour\""));
  auto missing = ParseReferenceCsv("kind,code,name\nregion,A,B\n");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(std::string(missing.status().message()),
             Catch::Contains("required column \"valid_from\""));
  // A header with fewer, reordered columns is fine.
  auto subset = ParseReferenceCsv("code,kind,valid_from,name\nKZ-1,region,2020-01-01,Name\n");
  REQUIRE(subset.ok());
  REQUIRE(subset->rows.size() == 1);
  CHECK(subset->rows[0].value.code() == "KZ-1");
}

TEST_CASE("participant rows: roles split on semicolons, status, bank and contact", "[import]") {
  const std::string csv =
      "bin,eic,legal_name,short_name,legal_address,region_code,roles,status,iik,bik,bank_name,"
      "kbe,contact_name,contact_phone,contact_email,vat_certificate\n"
      "990740000683,,\"ТОО «Казцинк»\",\"ТОО «Казцинк»\",\"г. Усть-Каменогорск, ул. Промышленная, "
      "1\",KZ-63,generator; consumer,suspended,KZ066012696344433238,HSBKKZKX,Halyk,17,"
      "Иванов И.И.,+7 701 000 00 00,i.ivanov@kazzinc.kz,\n"
      "000740001307,,A,A,,KZ-71,boss,,,,,,,,,\n";
  auto file = ParseParticipantsCsv(csv);
  REQUIRE(file.ok());
  REQUIRE(file->rows.size() == 1);
  const v1::Participant& p = file->rows[0].value;
  CHECK(p.roles_size() == 2);
  CHECK(p.roles(1) == v1::PARTICIPANT_ROLE_CONSUMER);
  CHECK(p.status() == v1::PARTICIPANT_STATUS_SUSPENDED);
  CHECK(p.legal_address() == "г. Усть-Каменогорск, ул. Промышленная, 1");
  CHECK(p.bank_account().bik() == "HSBKKZKX");
  CHECK(p.contacts(0).email() == "i.ivanov@kazzinc.kz");
  REQUIRE(file->rejected.size() == 1);
  CHECK_THAT(file->rejected[0].message,
             Catch::StartsWith("line 3, column 7 (roles): unknown participant role \"boss\""));
}

TEST_CASE("the demo data round-trips through the CSV format", "[import]") {
  const demo::DataSet data = demo::Generate(demo::Options{.seed = 7});
  std::string ref = CsvLine(ReferenceColumns());
  size_t count = 0;
  for (const auto& phase : data.reference) {
    for (const auto& r : phase.records) {
      ref += CsvLine(ReferenceCsvFields(r));
      ++count;
    }
  }
  auto file = ParseReferenceCsv(ref);
  REQUIRE(file.ok());
  CHECK(file->rejected.empty());
  REQUIRE(file->rows.size() == count);
  size_t i = 0;
  for (const auto& phase : data.reference) {
    for (const auto& r : phase.records) {
      INFO(r.code());
      CHECK(google::protobuf::util::MessageDifferencer::Equals(file->rows[i++].value, r));
    }
  }

  std::string parts = CsvLine(ParticipantColumns());
  for (const auto& p : data.participants) parts += CsvLine(ParticipantCsvFields(p.participant));
  auto pfile = ParseParticipantsCsv(parts);
  REQUIRE(pfile.ok());
  CHECK(pfile->rejected.empty());
  REQUIRE(pfile->rows.size() == data.participants.size());
  for (size_t k = 0; k < data.participants.size(); ++k) {
    const v1::Participant& want = data.participants[k].participant;
    const v1::Participant& got = pfile->rows[k].value;
    CHECK(got.bin() == want.bin());
    CHECK(got.legal_name() == want.legal_name());
    CHECK(got.legal_address() == want.legal_address());
    CHECK(got.roles_size() == want.roles_size());
    CHECK(got.bank_account().iik() == want.bank_account().iik());
    CHECK(got.contacts(0).name() == want.contacts(0).name());
  }
}

}  // namespace
}  // namespace gridbill::ctl
