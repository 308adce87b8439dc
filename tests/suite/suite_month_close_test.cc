// The whole month close as an operator runs it: the real gridbill-contracts,
// gridbill-metering, gridbill-balance and gridbill-invoicing binaries on free
// ports, each against its own database of a throwaway PostgreSQL, driven by
// the real gridbillctl. A reduced demo load with October 2026, a metering
// file import, the demo schemes, the final balance of 2026-10, the invoice
// run and its documents (totals = sums of lines, VAT 16 %), a PDF and its
// SHA-256, a payment and the statement; then a late CMS correction of a
// billed participant's point, a correction balance run, the invoicing
// correction and the debit or credit note for exactly the difference.
#include <libpq-fe.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridbill/pgtest/pgtest.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kMeteringBin[] = GRIDBILL_METERING_BIN;
constexpr char kBalanceBin[] = GRIDBILL_BALANCE_BIN;
constexpr char kInvoicingBin[] = GRIDBILL_INVOICING_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;

using google::protobuf::Struct;

// A service binary on free ports with its own log file.
Struct Json(const std::string& text) {
  Struct out;
  INFO(text.substr(0, 2000));
  REQUIRE(google::protobuf::util::JsonStringToMessage(text, &out).ok());
  return out;
}

// int64 fields are JSON strings in proto JSON; absent means 0.
int64_t Int(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return 0;
  return it->second.has_string_value() ? std::stoll(it->second.string_value())
                                       : static_cast<int64_t>(it->second.number_value());
}

std::string Str(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

Struct Obj(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? Struct() : it->second.struct_value();
}

std::vector<Struct> List(const Struct& s, const std::string& name) {
  std::vector<Struct> out;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

// A common.v1.Date as YYYY-MM-DD ("" when unset).
std::string DateOf(const Struct& d) {
  if (Int(d, "year") == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", Int(d, "year"), Int(d, "month"), Int(d, "day"));
}

std::string Tenge(int64_t tiyn) { return absl::StrFormat("%d.%02d", tiyn / 100, tiyn % 100); }

// A decimal string ("12.3456") as units of 10^-scale.
struct Dec {
  __int128 units = 0;
  __int128 scale = 1;
};
Dec ParseDecimal(const std::string& text) {
  Dec d;
  bool frac = false;
  bool negative = false;
  for (char c : text) {
    if (c == '-') {
      negative = true;
    } else if (c == '.') {
      frac = true;
    } else if (c >= '0' && c <= '9') {
      d.units = d.units * 10 + (c - '0');
      if (frac) d.scale *= 10;
    }
  }
  if (negative) d.units = -d.units;
  return d;
}

// num / den rounded half away from zero (den > 0).
int64_t RoundHalfUp(__int128 num, __int128 den) {
  const __int128 q = (num >= 0 ? num * 2 + den : num * 2 - den) / (den * 2);
  return static_cast<int64_t>(q);
}

// volume (Wh) x price (tenge per kWh), in tiyn, rounded half-up once.
int64_t AmountTiyn(int64_t volume_wh, const std::string& price_per_kwh) {
  const Dec p = ParseDecimal(price_per_kwh);
  return RoundHalfUp(static_cast<__int128>(volume_wh) * p.units * 100, p.scale * 1000);
}

// VAT of an amount at a percent rate, rounded half-up.
int64_t VatTiyn(int64_t amount_tiyn, const std::string& rate_percent) {
  const Dec r = ParseDecimal(rate_percent);
  return RoundHalfUp(static_cast<__int128>(amount_tiyn) * r.units, r.scale * 100);
}

struct Cli {
  Env env;
  CommandResult Run(const std::vector<std::string>& args, seconds timeout = seconds(120)) const {
    std::vector<std::string> argv = {kCtlBin};
    argv.insert(argv.end(), args.begin(), args.end());
    return suite::Run(argv, env, timeout);
  }
  // The command must succeed; its output as JSON.
  Struct Json(std::vector<std::string> args, seconds timeout = seconds(120)) const {
    args.push_back("--output");
    args.push_back("json");
    CommandResult r = Run(args, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return suite::Json(r.out);
  }
};

// The number after `label` in a printed summary ("  accepted     1 234").
int64_t Field(const std::string& text, const std::string& label) {
  const std::regex re("(^|\\n)\\s*" + label + "\\s+(-?[0-9][0-9 ]*)");
  std::smatch m;
  if (!std::regex_search(text, m, re)) return -1;
  std::string digits;
  for (char c : m[2].str()) {
    if (c != ' ') digits.push_back(c);
  }
  return std::stoll(digits);
}

std::string ChannelCode(const std::string& name) {
  if (name == "CHANNEL_ACTIVE_RECEIVED") return "01";
  if (name == "CHANNEL_ACTIVE_DELIVERED") return "02";
  if (name == "CHANNEL_REACTIVE_RECEIVED") return "03";
  if (name == "CHANNEL_REACTIVE_DELIVERED") return "04";
  return "";
}

// A participant x service's volume in a balance run's totals (-1: none).
int64_t Volume(const Struct& totals, const std::string& participant, const std::string& service) {
  for (const Struct& s : List(totals, "services")) {
    if (Str(s, "participantId") == participant && Str(s, "serviceType") == service) {
      return Int(s, "actualWh");
    }
  }
  return -1;
}

// Checks a document's lines as a user would with a calculator: VAT at 16 %
// (of the line's amount, rounded half-up, unless `note`: a note's VAT is a
// difference), totals = sums of the lines.
void CheckSums(const Struct& doc, bool note = false) {
  INFO("document " << Str(doc, "number"));
  const auto lines = List(doc, "lines");
  REQUIRE(!lines.empty());
  int64_t amount = 0, vat = 0, total = 0;
  for (const Struct& l : lines) {
    CHECK(ParseDecimal(Str(l, "vatRatePercent")).units ==
          16 * ParseDecimal(Str(l, "vatRatePercent")).scale);
    if (!note) CHECK(Int(l, "vatTiyn") == VatTiyn(Int(l, "amountTiyn"), Str(l, "vatRatePercent")));
    CHECK(Int(l, "totalTiyn") == Int(l, "amountTiyn") + Int(l, "vatTiyn"));
    CHECK(!Str(l, "balanceRunId").empty());
    CHECK(!Str(l, "tariffId").empty());
    amount += Int(l, "amountTiyn");
    vat += Int(l, "vatTiyn");
    total += Int(l, "totalTiyn");
  }
  CHECK(Int(doc, "amountTiyn") == amount);
  CHECK(Int(doc, "vatTiyn") == vat);
  CHECK(Int(doc, "totalTiyn") == total);
}

TEST_CASE("month close: balance, invoicing, payment and a late correction", "[suite][close]") {
  TempDir dir;
  Running contracts(kContractsBin, CreateDatabase("suite_c_contracts"), dir, "contracts");
  Running metering(kMeteringBin, CreateDatabase("suite_c_metering"), dir, "metering");
  Running balance(kBalanceBin, CreateDatabase("suite_c_balance"), dir, "balance",
                  {{"GRIDBILL_METERING_ADDRESS", metering.address},
                   {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}});
  Running invoicing(kInvoicingBin, CreateDatabase("suite_c_invoicing"), dir, "invoicing",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                     {"GRIDBILL_RENDER_PDF_IN_RUN", "false"}});
  contracts.WaitServing(seconds(90));
  metering.WaitServing(seconds(90));
  balance.WaitServing(seconds(90));
  invoicing.WaitServing(seconds(90));
  const Cli ctl{{{"GRIDBILL_ADDR", contracts.address},
                 {"GRIDBILL_METERING_ADDR", metering.address},
                 {"GRIDBILL_BALANCE_ADDR", balance.address},
                 {"GRIDBILL_INVOICING_ADDR", invoicing.address}}};

  // --- Demo data: 40 points, readings of the last month (2026-10). ----------
  {
    CommandResult load = ctl.Run({"demo", "load", "--seed", "7", "--points", "40",
                                  "--readings-months", "1", "--streams", "2"},
                                 seconds(900));
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
    CHECK(Field(load.out, "rejected") == 0);
    CommandResult schemes =
        ctl.Run({"balance", "demo-schemes", "--seed", "7", "--max-points", "40"}, seconds(300));
    INFO(schemes.Describe());
    REQUIRE(schemes.exit_code == 0);
    CHECK(schemes.out.find(" 0 refused") != std::string::npos);
  }

  // Participant transmission schemes of October with a "+" term on channel 01:
  // the candidates for the metering file and the late correction.
  struct Candidate {
    std::string participant, service, point, channel;
  };
  std::vector<Candidate> candidates;
  {
    const Struct schemes = ctl.Json({"balance", "schemes", "list", "--period", "2026-10"});
    for (const Struct& s : List(schemes, "schemes")) {
      if (Str(s, "kind") != "SCHEME_KIND_PARTICIPANT_SERVICE") continue;
      // The version must cover the whole of October.
      const std::string from = DateOf(Obj(s, "validFrom"));
      const std::string to = DateOf(Obj(s, "validTo"));
      if (from > "2026-10-01" || (!to.empty() && to < "2026-10-31")) continue;
      std::map<std::string, int> uses;
      for (const Struct& t : List(s, "terms")) ++uses[Str(t, "pointCode")];
      for (const Struct& t : List(s, "terms")) {
        if (Str(t, "role") == "TERM_ROLE_ADD" && ChannelCode(Str(t, "channel")) == "01" &&
            uses[Str(t, "pointCode")] == 1) {
          candidates.push_back(
              {Str(s, "participantId"), Str(s, "serviceType"), Str(t, "pointCode"), "01"});
          break;
        }
      }
    }
  }
  REQUIRE(!candidates.empty());

  // The current CMS value of a point's channel at a UTC instant (0: none).
  auto value_at = [&](const std::string& point, const std::string& channel,
                      const std::string& start) -> int64_t {
    const Struct r = ctl.Json({"metering", "readings", point, "--channel", channel, "--period",
                               "2026-10", "--resolution", "native"});
    for (const Struct& v : List(r, "values")) {
      if (Str(v, "start") == start) return Int(v, "valueWh");
    }
    return 0;
  };
  auto import_value = [&](const std::string& point, const std::string& channel,
                          const std::string& local, int64_t wh) {
    const std::string file = dir.File(absl::StrCat("import-", point, ".csv"));
    WriteFile(file, absl::StrCat("point_code,channel,interval_start,value,quality,source\n", point,
                                 ",", channel, ",", local, ",", wh, ",,\n"));
    CommandResult r =
        ctl.Run({"metering", "import", file, "--format", "csv", "--unit", "wh"}, seconds(120));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "rejected") == 0);
    return r;
  };

  // --- A metering file: a CMS value for 2026-10-10 12:00 (07:00 UTC). -------
  const Candidate& first = candidates.front();
  {
    const int64_t before = value_at(first.point, first.channel, "2026-10-10T07:00:00Z");
    const int64_t wh = before + 12000;
    CommandResult r = import_value(first.point, first.channel, "2026-10-10 12:00", wh);
    CHECK(Field(r.out, "accepted") + Field(r.out, "revised") == 1);
    CHECK(value_at(first.point, first.channel, "2026-10-10T07:00:00Z") == wh);
  }

  // --- The final balance of 2026-10. -----------------------------------------
  const Struct final_run = ctl.Json({"balance", "run", "2026-10", "--type", "final"}, seconds(600));
  const std::string final_id = Str(Obj(final_run, "run"), "id");
  INFO("final balance run " << final_id);
  REQUIRE(!final_id.empty());
  REQUIRE(Str(Obj(Obj(final_run, "run"), "job"), "state") == "JOB_STATE_SUCCEEDED");
  REQUIRE(!List(final_run, "services").empty());

  // --- The invoice run of 2026-10. -------------------------------------------
  std::set<std::string> not_billed;  // contract ids
  {
    const Struct run = ctl.Json({"invoicing", "run", "2026-10"}, seconds(600));
    INFO("run: " << Str(Obj(run, "job"), "summary") << " " << Str(Obj(run, "job"), "error"));
    REQUIRE(Str(Obj(run, "job"), "state") == "JOB_STATE_SUCCEEDED");
    CHECK(Int(run, "documentsIssued") > 0);
    CHECK(Int(run, "contractsFailed") == 0);
    CHECK(Str(Obj(run, "job"), "summary").find(final_id) != std::string::npos);
    // Net exporters (a participant's volume of a service zero or negative)
    // and contracts without volume are not billed: listed on the run with
    // their volume and the reason, counted apart from failures.
    const std::string summary = Str(Obj(run, "job"), "summary");
    CHECK(summary.find(absl::StrCat(Int(run, "contractsNotBilled"), " not billed (")) !=
          std::string::npos);
    const std::vector<Struct> listed = List(run, "notBilled");
    CHECK(static_cast<int64_t>(listed.size()) == Int(run, "contractsNotBilled"));
    std::vector<std::string> exporters;  // contract numbers
    int zeros_looked_up = 0;
    for (const Struct& n : listed) {
      INFO("not billed: " << Str(n, "contractNumber") << ": " << Str(n, "reason"));
      CHECK(Int(n, "volumeWh") <= 0);
      CHECK(absl::StartsWith(Str(n, "reason"),
                             absl::StrCat("net volume ", Int(n, "volumeWh"), " Wh from 2026-10-")));
      CHECK(absl::EndsWith(Str(n, "reason"), "; nothing to bill"));
      not_billed.insert(Str(n, "contractId"));
      if (Int(n, "volumeWh") < 0) {
        exporters.push_back(Str(n, "contractNumber"));
        CHECK(absl::StrContains(Str(n, "reason"), "delivered more than it received"));
      } else if (++zeros_looked_up > 5) {
        continue;
      }
      // The contract's whole-month volume in the final run: the same, or none.
      const Struct c = ctl.Json({"contracts", "get", Str(n, "contractId")});
      if (DateOf(Obj(c, "validFrom")) <= "2026-10-01" &&
          (DateOf(Obj(c, "validTo")).empty() || DateOf(Obj(c, "validTo")) >= "2026-10-31")) {
        const int64_t v = Volume(final_run, Str(c, "participantId"), Str(c, "serviceType"));
        CHECK((v == Int(n, "volumeWh") || (v == -1 && Int(n, "volumeWh") == 0)));
      }
    }
    CHECK(summary.find(absl::StrCat(" (", exporters.size(),
                                    " delivered more than they received): ")) != std::string::npos);
    // Exporters are named first (the first five) in the summary that gridbillctl prints.
    size_t named = 0;
    for (const std::string& number : exporters) named += summary.find(number) != std::string::npos;
    CHECK(named == std::min<size_t>(exporters.size(), 5));
  }
  const std::vector<Struct> invoices = List(
      ctl.Json({"invoicing", "documents", "--period", "2026-10", "--type", "invoice", "--all"}),
      "documents");
  const std::vector<Struct> acts =
      List(ctl.Json({"invoicing", "documents", "--period", "2026-10", "--type", "act", "--all"}),
           "documents");
  const std::vector<Struct> esfs =
      List(ctl.Json({"invoicing", "documents", "--period", "2026-10", "--type", "esf", "--all"}),
           "documents");
  REQUIRE(!invoices.empty());
  CHECK(acts.size() == invoices.size());
  CHECK(esfs.size() == invoices.size());

  // Every invoice: lines as a calculator gives them, the volume of the final
  // run, an act with the same figures that names it.
  std::map<std::string, Struct> invoice_of;  // participant + service -> invoice with lines
  for (const Struct& listed : invoices) {
    CHECK(not_billed.count(Str(listed, "contractId")) == 0);
    const Struct inv = ctl.Json({"invoicing", "document", Str(listed, "id")});
    CheckSums(inv);
    CHECK(DateOf(Obj(inv, "turnoverDate")) == "2026-10-31");
    int64_t volume = 0;
    std::string service;
    for (const Struct& l : List(inv, "lines")) {
      volume += Int(l, "volumeWh");
      service = Str(l, "serviceType");
      CHECK(Str(l, "balanceRunId") == final_id);
      CHECK(Int(l, "amountTiyn") == AmountTiyn(Int(l, "volumeWh"), Str(l, "pricePerKwh")));
    }
    CHECK(volume == Volume(final_run, Str(inv, "participantId"), service));
    invoice_of[Str(inv, "participantId") + "/" + service] = inv;
    bool has_act = false;
    for (const Struct& a : acts) {
      if (Str(a, "relatedDocumentId") != Str(inv, "id")) continue;
      has_act = true;
      CHECK(Int(a, "totalTiyn") == Int(inv, "totalTiyn"));
      CHECK(Int(a, "vatTiyn") == Int(inv, "vatTiyn"));
    }
    INFO("invoice " << Str(inv, "number"));
    CHECK(has_act);
  }

  // The participant we follow: one whose invoiced scheme has a "+" point.
  const Candidate* chosen = nullptr;
  for (const Candidate& c : candidates) {
    if (invoice_of.count(c.participant + "/" + c.service) > 0) {
      chosen = &c;
      break;
    }
  }
  INFO(invoices.size() << " invoices, " << candidates.size() << " candidate schemes");
  REQUIRE(chosen != nullptr);
  const Struct invoice = invoice_of[chosen->participant + "/" + chosen->service];
  const std::string participant = chosen->participant;
  const std::string contract_id = Str(invoice, "contractId");
  INFO("participant " << participant << ", invoice " << Str(invoice, "number") << ", point "
                      << chosen->point);

  // --- The PDF and its SHA-256. ---------------------------------------------
  {
    const std::string pdf = dir.File("invoice.pdf");
    CommandResult r = ctl.Run({"invoicing", "pdf", Str(invoice, "id"), "--out", pdf}, seconds(120));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("SHA-256 ([0-9a-f]{64})")));
    const std::string shown = m[1].str();
    CHECK(ReadFile(pdf).rfind("%PDF-", 0) == 0);
    CommandResult sum = suite::Run({"/usr/bin/sha256sum", pdf}, {}, seconds(30));
    REQUIRE(sum.exit_code == 0);
    CHECK(sum.out.substr(0, 64) == shown);
    const Struct again = ctl.Json({"invoicing", "document", Str(invoice, "id")});
    CHECK(Str(again, "pdfSha256") == shown);
  }

  // --- A payment of part of the invoice, then the balance and statement. ---
  const int64_t invoice_total = Int(invoice, "totalTiyn");
  REQUIRE(invoice_total > 1);
  const int64_t paid = invoice_total / 2;
  const std::string issue_date = DateOf(Obj(invoice, "issueDate"));
  const std::string year_end = issue_date.substr(0, 4) + "-12-31";
  {
    const std::string csv = dir.File("bank.csv");
    WriteFile(csv, absl::StrCat("reference,value_date,payer_bin,contract_number,amount,purpose\n",
                                "PAY-CLOSE-1,", issue_date, ",", Str(invoice, "customerBin"), ",",
                                Str(invoice, "contractNumber"), ",", Tenge(paid),
                                ",оплата за октябрь 2026\n"));
    const Struct r = ctl.Json({"invoicing", "import-payments", csv, "--roles", "accountant"});
    CHECK(Int(r, "created") == 1);
    const Struct again = ctl.Json({"invoicing", "import-payments", csv, "--roles", "accountant"});
    CHECK(Int(again, "created") == 0);
    CHECK(Int(again, "alreadyPresent") == 1);
  }
  auto contract_balance = [&]() {
    const Struct b = ctl.Json({"invoicing", "balance", participant});
    for (const Struct& c : List(b, "contracts")) {
      if (Str(c, "contractId") == contract_id) return c;
    }
    FAIL("no balance of contract " << contract_id);
    return Struct();
  };
  {
    const Struct b = contract_balance();
    CHECK(Int(b, "chargedTiyn") == invoice_total);
    CHECK(Int(b, "paidTiyn") == paid);
    CHECK(Int(b, "balanceTiyn") == invoice_total - paid);
    const Struct s = ctl.Json({"invoicing", "statement", participant, "--contract", contract_id,
                               "--from", "2026-01-01", "--to", year_end});
    CHECK(Int(s, "openingTiyn") == 0);
    CHECK(Int(s, "chargedTiyn") == invoice_total);
    CHECK(Int(s, "paidTiyn") == paid);
    CHECK(Int(s, "closingTiyn") == invoice_total - paid);
    bool listed = false;
    for (const Struct& e : List(s, "entries")) {
      if (Str(e, "reference") == "PAY-CLOSE-1") listed = Int(e, "paidTiyn") == paid;
    }
    CHECK(listed);
  }

  // --- A late correction: CMS re-sends 2026-10-20 18:00 with more energy. --
  const std::string at_utc = "2026-10-20T13:00:00Z";  // 18:00 in Asia/Almaty
  const int64_t old_value = value_at(chosen->point, chosen->channel, at_utc);
  const int64_t delta_wh = std::max<int64_t>(1000, old_value / 2 / 1000 * 1000);
  import_value(chosen->point, chosen->channel, "2026-10-20 18:00", old_value + delta_wh);
  CHECK(value_at(chosen->point, chosen->channel, at_utc) == old_value + delta_wh);

  const Struct correction_run =
      ctl.Json({"balance", "run", "2026-10", "--type", "correction"}, seconds(600));
  const std::string correction_id = Str(Obj(correction_run, "run"), "id");
  REQUIRE(Str(Obj(Obj(correction_run, "run"), "job"), "state") == "JOB_STATE_SUCCEEDED");
  const int64_t old_volume = Volume(final_run, participant, chosen->service);
  const int64_t new_volume = Volume(correction_run, participant, chosen->service);
  CHECK(new_volume - old_volume == delta_wh);

  {
    const Struct run = ctl.Json({"invoicing", "run", "2026-10", "--correction"}, seconds(600));
    INFO("run: " << Str(Obj(run, "job"), "summary") << " " << Str(Obj(run, "job"), "error"));
    REQUIRE(Str(Obj(run, "job"), "state") == "JOB_STATE_SUCCEEDED");
    CHECK(Int(run, "contractsFailed") == 0);
    CHECK(Str(Obj(run, "job"), "summary").find(correction_id) != std::string::npos);
    // The exporters the regular run did not bill stay not billed (no
    // volume turned positive), with their reasons.
    for (const Struct& n : List(run, "notBilled")) {
      INFO("not billed: " << Str(n, "contractNumber") << ": " << Str(n, "reason"));
      CHECK(not_billed.count(Str(n, "contractId")) == 1);
      CHECK(absl::EndsWith(Str(n, "reason"), "; nothing to bill"));
    }
    CHECK(Int(run, "contractsNotBilled") == static_cast<int64_t>(not_billed.size()));
  }
  const std::vector<Struct> notes =
      List(ctl.Json({"invoicing", "documents", "--contract", contract_id, "--period", "2026-10",
                     "--type", "debit-note", "--all"}),
           "documents");
  REQUIRE(notes.size() == 1);
  CHECK(List(ctl.Json({"invoicing", "documents", "--contract", contract_id, "--period", "2026-10",
                       "--type", "credit-note", "--all"}),
             "documents")
            .empty());
  const Struct note = ctl.Json({"invoicing", "document", Str(notes.front(), "id")});
  CheckSums(note, /*note=*/true);
  CHECK(Str(note, "relatedDocumentId") == Str(invoice, "id"));
  CHECK(Str(note, "relatedDocumentNumber") == Str(invoice, "number"));
  CHECK(DateOf(Obj(note, "turnoverDate")) == "2026-10-31");
  // Each note line: what the corrected volume costs minus what was charged
  // for the same tariff part; together exactly the changed volume.
  int64_t note_volume = 0;
  for (const Struct& l : List(note, "lines")) {
    CHECK(Str(l, "balanceRunId") == correction_id);
    const Struct* charged = nullptr;
    const auto invoice_lines = List(invoice, "lines");
    for (const Struct& o : invoice_lines) {
      if (Str(o, "tariffId") == Str(l, "tariffId") &&
          DateOf(Obj(o, "fromDate")) == DateOf(Obj(l, "fromDate")) &&
          DateOf(Obj(o, "toDate")) == DateOf(Obj(l, "toDate"))) {
        charged = &o;
      }
    }
    REQUIRE(charged != nullptr);
    const std::string price = Str(l, "pricePerKwh");
    CHECK(price == Str(*charged, "pricePerKwh"));
    const int64_t new_amount = AmountTiyn(Int(*charged, "volumeWh") + Int(l, "volumeWh"), price);
    CHECK(Int(l, "amountTiyn") == new_amount - Int(*charged, "amountTiyn"));
    CHECK(Int(l, "vatTiyn") ==
          VatTiyn(new_amount, Str(l, "vatRatePercent")) - Int(*charged, "vatTiyn"));
    // Within a tiyn of the changed volume x the tariff.
    CHECK(std::abs(Int(l, "amountTiyn") - AmountTiyn(Int(l, "volumeWh"), price)) <= 1);
    note_volume += Int(l, "volumeWh");
  }
  CHECK(note_volume == delta_wh);
  // Its ESF names the original ESF.
  {
    const std::vector<Struct> note_esfs =
        List(ctl.Json({"invoicing", "documents", "--contract", contract_id, "--period", "2026-10",
                       "--type", "esf", "--all"}),
             "documents");
    CHECK(note_esfs.size() == 2);
  }
  // The account now owes the note too; the payment stays.
  {
    const Struct b = contract_balance();
    CHECK(Int(b, "chargedTiyn") == invoice_total + Int(note, "totalTiyn"));
    CHECK(Int(b, "paidTiyn") == paid);
    CHECK(Int(b, "balanceTiyn") == invoice_total + Int(note, "totalTiyn") - paid);
  }
  // A second correction run finds nothing more to correct.
  {
    const Struct run = ctl.Json({"invoicing", "run", "2026-10", "--correction"}, seconds(600));
    REQUIRE(Str(Obj(run, "job"), "state") == "JOB_STATE_SUCCEEDED");
    CHECK(Int(run, "documentsIssued") == 0);
  }

  // --- A retroactive tariff order: a new price from 2026-10-16. -------------
  // `tariffs change` closes the tariff in force on 10-15 and starts the new
  // one; the correction run then bills exactly the difference for October,
  // which already has an invoice and a note.
  auto documents_of = [&](const std::string& type) {
    std::map<std::string, Struct> out;
    for (const Struct& d : List(ctl.Json({"invoicing", "documents", "--contract", contract_id,
                                          "--period", "2026-10", "--type", type, "--all"}),
                                "documents")) {
      out[Str(d, "id")] = ctl.Json({"invoicing", "document", Str(d, "id")});
    }
    return out;
  };
  auto net_amount = [&]() {
    int64_t net = 0;
    for (const char* type : {"invoice", "debit-note", "credit-note"}) {
      for (const auto& [id, d] : documents_of(type)) net += Int(d, "amountTiyn");
    }
    return net;
  };
  const int64_t net_before = net_amount();
  const std::map<std::string, Struct> debits_before = documents_of("debit-note");
  const std::map<std::string, Struct> credits_before = documents_of("credit-note");
  const std::string service = absl::AsciiStrToLower(chosen->service.substr(13));
  const std::string old_price =
      Str(ctl.Json({"tariffs", "in-force", "--service", service, "--date", "2026-10-15"}),
          "pricePerKwh");
  const std::string new_price = "4.321";
  const Struct changed =
      ctl.Json({"tariffs", "change", "--service", service, "--from", "2026-10-16", "--price",
                new_price, "--order", "Order No. 77-ОД of 2026-11-20 (suite)"});
  CHECK(DateOf(Obj(Obj(changed, "closed"), "validTo")) == "2026-10-15");
  CHECK(DateOf(Obj(Obj(changed, "tariff"), "validFrom")) == "2026-10-16");
  const std::string new_tariff_id = Str(Obj(changed, "tariff"), "id");
  {
    const Struct run = ctl.Json({"invoicing", "run", "2026-10", "--correction"}, seconds(600));
    INFO("run: " << Str(Obj(run, "job"), "summary") << " " << Str(Obj(run, "job"), "error"));
    REQUIRE(Str(Obj(run, "job"), "state") == "JOB_STATE_SUCCEEDED");
    CHECK(Int(run, "contractsFailed") == 0);
  }
  std::vector<Struct> new_debits, new_credits;
  for (const auto& [id, d] : documents_of("debit-note")) {
    if (!debits_before.count(id)) new_debits.push_back(d);
  }
  for (const auto& [id, d] : documents_of("credit-note")) {
    if (!credits_before.count(id)) new_credits.push_back(d);
  }
  REQUIRE(new_debits.size() == 1);
  REQUIRE(new_credits.size() == 1);
  CheckSums(new_debits.front(), /*note=*/true);
  CheckSums(new_credits.front(), /*note=*/true);
  // The month is now charged in two parts, each at its own price, for the
  // whole corrected volume; the credit note takes back exactly what was
  // charged for the whole month at the old price.
  int64_t recharged_volume = 0, recharged_amount = 0;
  std::set<std::string> parts;
  for (const Struct& l : List(new_debits.front(), "lines")) {
    const std::string from = DateOf(Obj(l, "fromDate"));
    const std::string to = DateOf(Obj(l, "toDate"));
    parts.insert(from + ".." + to);
    if (from >= "2026-10-16") {
      CHECK(Str(l, "tariffId") == new_tariff_id);
      CHECK(ParseDecimal(Str(l, "pricePerKwh")).units * ParseDecimal(new_price).scale ==
            ParseDecimal(new_price).units * ParseDecimal(Str(l, "pricePerKwh")).scale);
    } else {
      CHECK(to <= "2026-10-15");
      CHECK(ParseDecimal(Str(l, "pricePerKwh")).units * ParseDecimal(old_price).scale ==
            ParseDecimal(old_price).units * ParseDecimal(Str(l, "pricePerKwh")).scale);
    }
    CHECK(Int(l, "amountTiyn") == AmountTiyn(Int(l, "volumeWh"), Str(l, "pricePerKwh")));
    recharged_volume += Int(l, "volumeWh");
    recharged_amount += Int(l, "amountTiyn");
  }
  CHECK(parts == std::set<std::string>{"2026-10-01..2026-10-15", "2026-10-16..2026-10-31"});
  CHECK(recharged_volume == new_volume);
  CHECK(Int(new_credits.front(), "amountTiyn") == -net_before);
  CHECK(net_amount() == recharged_amount);
  CHECK(Int(new_debits.front(), "amountTiyn") + Int(new_credits.front(), "amountTiyn") ==
        recharged_amount - net_before);
  // And nothing more to correct after it.
  {
    const Struct run = ctl.Json({"invoicing", "run", "2026-10", "--correction"}, seconds(600));
    CHECK(Int(run, "documentsIssued") == 0);
  }
}

}  // namespace
}  // namespace gridbill::suite
