// The statement and telemetry parsers: what a good file yields, and that a
// malformed one is refused whole with the line named.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "client_bank.h"
#include "encoding.h"
#include "mt940.h"
#include "scada_protocol.h"

namespace gridbill::integrations {
namespace {

std::string Corpus(const std::string& name) {
  std::ifstream in(std::string(GRIDBILL_INTEGRATIONS_FUZZ_DIR) + "/corpus/" + name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Cp1251(const std::string& utf8) { return *FromUtf8(utf8, "CP1251"); }

TEST_CASE("1C Client-Bank in Windows-1251: credits become payments, debits are counted") {
  const std::string file = Corpus("client_bank/statement_cp1251.txt");
  REQUIRE_FALSE(IsUtf8(file));
  absl::StatusOr<Statement> st = ParseClientBank(file);
  REQUIRE(st.ok());
  CHECK(st->account == "KZ86125KZT5004100100");
  REQUIRE(st->payments.size() == 1);
  const StatementPayment& p = st->payments[0];
  CHECK(p.amount_tiyn == 12500050);
  CHECK(p.payer_bin == "040340001237");
  CHECK(p.contract_number == "TR-0042");
  CHECK(p.value_date == absl::CivilDay(2026, 11, 4));
  CHECK(p.reference == "1C/KZ75125KZT2069100100/341/2026-11-03");
  CHECK(p.line == 20);  // the line of its СекцияДокумент
  CHECK(absl::StrContains(p.purpose, "за октябрь 2026"));
  CHECK(st->debit_lines == 1);
  // The same file in UTF-8 reads the same.
  absl::StatusOr<Statement> utf8 = ParseClientBank(Corpus("client_bank/statement_utf8.txt"));
  REQUIRE(utf8.ok());
  CHECK(utf8->payments[0].reference == p.reference);
  CHECK(utf8->payments[0].purpose == p.purpose);
  CHECK(PaymentsCsv(*st) ==
        "reference,value_date,payer_bin,contract_number,amount,purpose\n"
        "1C/KZ75125KZT2069100100/341/2026-11-03,2026-11-04,040340001237,TR-0042,125000.50,"
        "Оплата по договору № TR-0042 за услуги по передаче за октябрь 2026\n");
}

TEST_CASE("1C Client-Bank: a malformed file is refused naming its line") {
  const std::string good = Corpus("client_bank/statement_utf8.txt");
  struct Case {
    std::string from, to, want;
  };
  const Case cases[] = {
      {"Сумма=125000.50", "Сумма=12x5000.50", "line 23: Сумма: bad amount"},
      {"Сумма=125000.50", "Сумма=125000.505",
       "line 23: Сумма: amount \"125000.505\" has more than 2 decimals"},
      {"Дата=03.11.2026", "Дата=31.02.2026", "line 22: Дата \"31.02.2026\" is not a date"},
      {"ПлательщикБИН=040340001237", "ПлательщикБИН=04034000123",
       "line 26: ПлательщикБИН \"04034000123\" is not a 12-digit BIN"},
      {"КонечныйОстаток=125500.50", "КонечныйОстаток=125500.51",
       "line 18: КонечныйОстаток 125500.51 is not"},
      {"Номер=341\n", "", "line 20: the document has no Номер"},
      {"КонецДокумента\nСекцияДокумент=Платежное поручение\nНомер=12",
       "СекцияДокумент=Платежное поручение\nНомер=12",
       "line 31: СекцияДокумент inside a section opened on line 20"},
      {"НазначениеПлатежа=Комиссия банка", "Комиссия банка",
       "line 39: \"Комиссия банка\" is not key=value"},
      {"КонецФайла\n", "", "line 40: the file ends without КонецФайла"},
      {"1CClientBankExchange", "1CClientBank",
       "line 1: the file does not start with 1CClientBankExchange"},
  };
  for (const Case& c : cases) {
    INFO(c.want);
    REQUIRE(absl::StrContains(good, c.from));
    absl::StatusOr<Statement> st = ParseClientBank(absl::StrReplaceAll(good, {{c.from, c.to}}));
    REQUIRE_FALSE(st.ok());
    CHECK(st.status().code() == absl::StatusCode::kInvalidArgument);
    INFO("got: " << st.status().message());
    CHECK(absl::StartsWith(st.status().message(), c.want));
    // The same mistake in Windows-1251 names the same line.
    absl::StatusOr<Statement> cp =
        ParseClientBank(Cp1251(absl::StrReplaceAll(good, {{c.from, c.to}})));
    REQUIRE_FALSE(cp.ok());
    CHECK(absl::StartsWith(cp.status().message(), c.want));
  }
}

TEST_CASE("MT940: credits with bank references, BIN and contract from :86:, balances checked") {
  absl::StatusOr<Statement> st = ParseMt940(Corpus("mt940/statement.txt"));
  REQUIRE(st.ok());
  CHECK(st->account == "KZ86125KZT5004100100");
  REQUIRE(st->payments.size() == 2);
  CHECK(st->payments[0].reference == "MT940/KZ86125KZT5004100100/B261104-0001");
  CHECK(st->payments[0].amount_tiyn == 12500050);
  CHECK(st->payments[0].payer_bin == "040340001237");
  CHECK(st->payments[0].contract_number == "TR-0042");
  CHECK(st->payments[0].value_date == absl::CivilDay(2026, 11, 4));
  CHECK(st->payments[0].line == 6);
  CHECK(st->payments[1].amount_tiyn == 250000);
  CHECK(st->payments[1].payer_bin == "990140000135");
  CHECK(st->payments[1].contract_number == "DS-0007");
  CHECK(st->debit_lines == 1);
  // Without the SWIFT blocks, the same.
  absl::StatusOr<Statement> plain = ParseMt940(Corpus("mt940/plain.txt"));
  REQUIRE(plain.ok());
  CHECK(plain->payments.size() == 2);
}

TEST_CASE("MT940: a malformed statement is refused naming its line") {
  const std::string good = Corpus("mt940/statement.txt");
  struct Case {
    std::string from, to, want;
  };
  const Case cases[] = {
      {":62F:C261105KZT128000,50", ":62F:C261105KZT128000,49",
       "line 12: :62F: closing balance is not"},
      {":61:261105C2500,NTRF", ":61:261135C2500,NTRF",
       "line 10: :61: value date \"261135\" is not a date"},
      {":61:261105C2500,NTRF", ":61:261105X2500,NTRF", "line 10: :61: \"X2500,NT\" is not a mark"},
      {":61:261105C2500,NTRF", ":61:261105C2500,ZTRF",
       "line 10: :61: \"ZTRF\" is not a transaction type"},
      {":60F:C261104KZT1000,00", ":60F:C261104kzt1000,00",
       "line 5: :60F: \"kzt\" is not a currency code"},
      {":20:STMT261105\n", "", "line 12: the message has no :20:"},
      {":62F:C261105KZT128000,50\n", "", "line 12: the message has no closing balance"},
      {":25:", ":2X:", "line 3: \"2X\" is not a tag name"},
  };
  for (const Case& c : cases) {
    INFO(c.want);
    REQUIRE(absl::StrContains(good, c.from));
    absl::StatusOr<Statement> st = ParseMt940(absl::StrReplaceAll(good, {{c.from, c.to}}));
    REQUIRE_FALSE(st.ok());
    CHECK(st.status().code() == absl::StatusCode::kInvalidArgument);
    INFO("got: " << st.status().message());
    CHECK(absl::StartsWith(st.status().message(), c.want));
  }
}

TEST_CASE("SCADA line protocol: values, defaults, and refusals naming the line") {
  absl::StatusOr<std::string> hello = ParseScadaHello("HELLO scada-main 1\r", 1);
  REQUIRE(hello.ok());
  CHECK(*hello == "scada-main");
  CHECK(absl::StartsWith(ParseScadaHello("HELLO scada 2", 1).status().message(),
                         "line 1: protocol version 2 is not supported"));
  auto v = ParseScadaLine("7 KZ-ALM-0001 1 2026-10-01T00:15:00+05:00 124500", 9);
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  CHECK((*v)->seq == 7);
  CHECK((*v)->interval_start ==
        absl::FromCivil(absl::CivilSecond(2026, 9, 30, 19, 15, 0), absl::UTCTimeZone()));
  CHECK((*v)->quality == 1);
  auto again = ParseScadaLine(FormatScadaLine(**v), 1);
  REQUIRE(again.ok());
  CHECK((*again)->interval_start == (*v)->interval_start);
  CHECK(ParseScadaLine("# a comment", 3)->has_value() == false);
  struct Case {
    std::string line, want;
  };
  const Case cases[] = {
      {"0 P 1 2026-10-01T00:00:00Z 1", "line 4: seq \"0\" is not a positive integer"},
      {"1 P 5 2026-10-01T00:00:00Z 1", "line 4: channel \"5\" is not 1..4"},
      {"1 P 1 2026-10-01T00:00:00 1",
       "line 4: interval start \"2026-10-01T00:00:00\" is not RFC 3339"},
      {"1 P 1 2026-10-01T00:00:00Z -5", "line 4: value \"-5\" is not an integer Wh >= 0"},
      {"1 P 1 2026-10-01T00:00:00Z 5 Q", "line 4: quality \"Q\" is not M, E, S or X"},
      {"1 P 1", "line 4: expected <seq> <point> <channel>"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    auto r = ParseScadaLine(c.line, 4);
    REQUIRE_FALSE(r.ok());
    CHECK(absl::StartsWith(r.status().message(), c.want));
  }
}

TEST_CASE("amounts and contract numbers in payment purposes") {
  CHECK(*ParseAmountTiyn("1234.5") == 123450);
  CHECK(*ParseAmountTiyn("0,07") == 7);
  CHECK(*ParseAmountTiyn("12") == 1200);
  CHECK_FALSE(ParseAmountTiyn("-1").ok());
  CHECK_FALSE(ParseAmountTiyn("1.2.3").ok());
  CHECK(ContractNumberIn("оплата по договору № TR-0042 за октябрь") == "TR-0042");
  CHECK(ContractNumberIn("payment under contract No. DS-17, October") == "DS-17");
  CHECK(ContractNumberIn("/CNTR/BL-9/ rest") == "BL-9");
  CHECK(ContractNumberIn("Nothing here") == "");
  CHECK(BinIn("БИН 990140000135, счёт 1234567890123") == "990140000135");
}

}  // namespace
}  // namespace gridbill::integrations
