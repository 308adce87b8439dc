#include "tools/demo/demo_data.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/sha256.h"
#include "gridbill/domain/identifiers.h"
#include "tools/demo/catalog.h"
#include "tools/demo/rng.h"
#include "tools/demo/text.h"

namespace gridbill::demo {
namespace {

using common::v1::Date;

enum Stream : uint64_t {
  kStreamBanks = 1,
  kStreamSubstations,
  kStreamLines,
  kStreamParticipants,
  kStreamContracts,
  kStreamApplications,
};

Date ToDate(absl::CivilDay d) {
  Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

absl::CivilDay Day(absl::string_view text) {
  // Catalog dates are literals in "YYYY-MM-DD"; a typo is a programming error.
  int y = 0, m = 0, d = 0;
  std::sscanf(std::string(text).c_str(), "%d-%d-%d", &y, &m, &d);
  return absl::CivilDay(y, m, d);
}

std::string RegionDigits(absl::string_view region_code) {
  return std::string(region_code.substr(region_code.size() - 2));
}

// The go-live of the reference system: reference data and contracts in force
// then were loaded with this start date.
const absl::CivilDay kGoLive(2019, 1, 1);
// Abai, Zhetisu and Ulytau oblasts were formed on this day.
const absl::CivilDay kNewOblasts(2022, 6, 8);
// The "use of the national grid" service exists since this day.
const absl::CivilDay kGridUseStart(2023, 7, 1);

const std::map<absl::string_view, absl::string_view>& NewOblastParents() {
  static const auto* const k = new std::map<absl::string_view, absl::string_view>{
      {"KZ-10", "KZ-63"}, {"KZ-33", "KZ-19"}, {"KZ-62", "KZ-35"}};
  return *k;
}

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

class BinFactory {
 public:
  // A 12-digit BIN of a resident legal entity (head office) registered in a
  // month between 1995 and 2023: YYMM, '4', '0', a 5-digit serial and the
  // check digit. Combinations without a check digit are skipped.
  std::string Next(Rng& rng) {
    while (true) {
      int year = static_cast<int>(rng.Between(1995, 2023));
      int month = static_cast<int>(rng.Between(1, 12));
      std::string first11 = absl::StrFormat("%02d%02d40%05d", year % 100, month,
                                            static_cast<int>(rng.Between(0, 99999)));
      int check = BinCheckDigit(first11);
      if (check < 0) continue;
      std::string bin = absl::StrCat(first11, check);
      if (used_.insert(bin).second) return bin;
    }
  }

 private:
  std::set<std::string> used_;
};

// KZ IIK (an IBAN): "KZ", two check digits, the 3-digit bank code and a
// 13-digit account; the check digits are the real ISO 7064 mod 97-10 ones.
std::string MakeIik(absl::string_view bank_code, absl::string_view account13) {
  std::string bban = absl::StrCat(bank_code, account13);
  // Rearranged: BBAN + "KZ00", letters as numbers (K=20, Z=35).
  std::string digits = absl::StrCat(bban, "2035", "00");
  int mod = 0;
  for (char c : digits) mod = (mod * 10 + (c - '0')) % 97;
  int check = 98 - mod;
  return absl::StrFormat("KZ%02d%s", check, bban);
}

// ---------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------

v1::ReferenceRecord BaseRecord(v1::ReferenceKind kind, std::string code, std::string name,
                               std::string name_kk, absl::CivilDay from,
                               std::optional<absl::CivilDay> to) {
  v1::ReferenceRecord r;
  r.set_kind(kind);
  r.set_code(std::move(code));
  r.set_name(std::move(name));
  r.set_name_kk(std::move(name_kk));
  *r.mutable_valid_from() = ToDate(from);
  if (to) *r.mutable_valid_to() = ToDate(*to);
  return r;
}

void AddRegions(std::vector<v1::ReferenceRecord>& out) {
  for (const HistoricRegion& h : HistoricRegions()) {
    v1::ReferenceRecord r =
        BaseRecord(v1::REFERENCE_KIND_REGION, std::string(h.code), std::string(h.name_ru),
                   std::string(h.name_kk), Day(h.valid_from), Day(h.valid_to));
    r.mutable_region()->set_kato_code(std::string(h.kato));
    out.push_back(std::move(r));
  }
  for (const RegionInfo& info : Regions()) {
    v1::ReferenceRecord r =
        BaseRecord(v1::REFERENCE_KIND_REGION, std::string(info.code), std::string(info.name_ru),
                   std::string(info.name_kk), Day(info.valid_from), std::nullopt);
    r.mutable_region()->set_kato_code(std::string(info.kato));
    out.push_back(std::move(r));
  }
}

void AddBanks(Rng& rng, BinFactory& bins, std::vector<v1::ReferenceRecord>& out) {
  for (const BankInfo& b : Banks()) {
    const std::string bin = bins.Next(rng);
    absl::CivilDay from = Day(b.valid_from);
    if (!b.old_name_ru.empty()) {
      absl::CivilDay renamed = Day(b.renamed_on);
      v1::ReferenceRecord old =
          BaseRecord(v1::REFERENCE_KIND_BANK, std::string(b.bik), std::string(b.old_name_ru),
                     std::string(b.old_name_kk), from, renamed - 1);
      old.mutable_bank()->set_bik(std::string(b.bik));
      old.mutable_bank()->set_bin(bin);
      out.push_back(std::move(old));
      from = renamed;
    }
    v1::ReferenceRecord r =
        BaseRecord(v1::REFERENCE_KIND_BANK, std::string(b.bik), std::string(b.name_ru),
                   std::string(b.name_kk), from, std::nullopt);
    r.mutable_bank()->set_bik(std::string(b.bik));
    r.mutable_bank()->set_bin(bin);
    out.push_back(std::move(r));
  }
}

// Words substations are named after (typical Kazakh and Russian names of
// grid substations), combined with the towns of the region.
const std::vector<absl::string_view>& SubstationWords() {
  static const auto* const k = new std::vector<absl::string_view>{
      "Сарыарка",    "Жайляу",      "Береке",       "Достык",    "Бирлик",      "Жана Жол",
      "Октябрьская", "Заводская",   "Нефтебаза",    "Насосная",  "Карьерная",   "Шахтная",
      "Тяговая",     "Элеваторная", "Совхозная",    "Степная",   "Озёрная",     "Луговая",
      "Садовая",     "Речная",      "Коммунальная", "Городская", "Центральная", "Северная",
      "Южная",       "Восточная",   "Западная",     "Промзона",  "Водозабор",   "Компрессорная",
      "Ақжол",       "Бастау",      "Қайнар",       "Тұран",     "Самал",       "Алатау",
      "Шұғыла",      "Көктем",      "Жұлдыз",       "Отрар",     "Ынтымақ",     "Болашақ",
      "Нұрлы",       "Арман",       "Керуен",       "Сұңқар",    "Кеңес",       "Таскала",
  };
  return *k;
}

struct Substation {
  std::string code;
  std::string word;      // the name without the "ПС ... кВ" prefix
  std::string region;    // final region code
  int level = 0;         // index into SeededVoltageLevels(), 0 = highest
  absl::CivilDay since;  // first day of the first version
};

std::string LevelLabel(int kv) {
  switch (kv) {
    case 1150:
      return "1150/500/220";
    case 500:
      return "500/220/10";
    case 220:
      return "220/110/10";
    case 110:
      return "110/35/10";
    case 35:
      return "35/10";
    default:
      return absl::StrCat(kv);
  }
}

v1::ReferenceRecord SubstationRecord(const Substation& s, absl::string_view region, int level,
                                     absl::CivilDay from, std::optional<absl::CivilDay> to) {
  const VoltageLevel& vl = SeededVoltageLevels()[level];
  v1::ReferenceRecord r =
      BaseRecord(v1::REFERENCE_KIND_SUBSTATION, s.code,
                 absl::StrCat("ПС ", LevelLabel(vl.nominal_kv), " кВ «", s.word, "»"),
                 absl::StrCat("«", s.word, "» ", LevelLabel(vl.nominal_kv), " кВ ҚС"), from, to);
  r.mutable_substation()->set_region_code(std::string(region));
  r.mutable_substation()->set_voltage_level_code(vl.code);
  return r;
}

// Substations: ~7,150 in force, plus earlier versions for those moved to the
// oblasts formed in 2022 and for those rebuilt to a higher voltage.
std::vector<Substation> AddSubstations(Rng& rng, std::vector<v1::ReferenceRecord>& out) {
  constexpr int kCount = 7150;
  const auto& levels = SeededVoltageLevels();
  // Share of substations per voltage level (per 10,000), highest first; the
  // three 1150 kV substations of the Ekibastuz - Kokshetau - Kostanay transit.
  std::vector<int64_t> level_weights;
  for (const auto& vl : levels) {
    int64_t w = 0;
    switch (vl.nominal_kv) {
      case 500:
        w = 45;
        break;
      case 220:
        w = 380;
        break;
      case 110:
        w = 2700;
        break;
      case 35:
        w = 6875;
        break;
      default:
        w = 0;
    }
    level_weights.push_back(w);
  }
  int level_1150 = -1;
  for (size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].nominal_kv == 1150) level_1150 = static_cast<int>(i);
  }

  // Regions weighted half by consumption, half evenly.
  const auto& regions = Regions();
  std::vector<int64_t> region_weights;
  int64_t total_consumption = 0;
  for (const auto& r : regions) total_consumption += r.consumption_gwh;
  for (const auto& r : regions) {
    region_weights.push_back(r.consumption_gwh * 1000 / total_consumption +
                             1000 / static_cast<int64_t>(regions.size()));
  }

  std::vector<Substation> subs;
  std::map<std::string, int> serial;
  std::map<std::string, std::set<std::string>> names_in_region;
  const std::vector<std::pair<absl::string_view, absl::string_view>> kUhv = {
      {"KZ-55", "Экибастузская"}, {"KZ-11", "Кокшетауская"}, {"KZ-39", "Костанайская"}};
  for (int i = 0; i < kCount; ++i) {
    Substation s;
    int level = 0;
    if (i < static_cast<int>(kUhv.size()) && level_1150 >= 0) {
      s.region = std::string(kUhv[i].first);
      s.word = std::string(kUhv[i].second);
      level = level_1150;
    } else {
      s.region = std::string(regions[rng.Weighted(region_weights)].code);
      level = static_cast<int>(rng.Weighted(level_weights));
      const RegionInfo* info = nullptr;
      for (const auto& r : regions) {
        if (r.code == s.region) info = &r;
      }
      // "<Town>", "<Town>-<Word>" or "<Word>", numbered when taken.
      std::string base;
      const Town& town = rng.Pick(info->towns);
      switch (rng.Below(3)) {
        case 0:
          base = std::string(town.ru);
          break;
        case 1:
          base = absl::StrCat(town.ru, "-", rng.Pick(SubstationWords()));
          break;
        default:
          base = std::string(rng.Pick(SubstationWords()));
      }
      std::string word = base;
      for (int n = 2; names_in_region[s.region].count(word) > 0; ++n) {
        word = absl::StrCat(base, "-", n);
      }
      s.word = word;
    }
    names_in_region[s.region].insert(s.word);
    s.level = level;
    s.code = absl::StrFormat("PS-%s-%04d", RegionDigits(s.region), ++serial[s.region]);
    // Most were in force at go-live; ~8% were commissioned since.
    s.since = rng.Chance(80)
                  ? rng.DayBetween(absl::CivilDay(2019, 2, 1), absl::CivilDay(2026, 6, 30))
                  : kGoLive;

    const auto parent = NewOblastParents().find(s.region);
    if (parent != NewOblastParents().end() && s.since < kNewOblasts) {
      // Registered under the parent oblast until the new one was formed.
      out.push_back(SubstationRecord(s, parent->second, s.level, s.since, kNewOblasts - 1));
      out.push_back(SubstationRecord(s, s.region, s.level, kNewOblasts, std::nullopt));
    } else if (s.level + 1 < static_cast<int>(levels.size()) && levels[s.level].nominal_kv == 110 &&
               s.since == kGoLive && rng.Chance(60)) {
      // Rebuilt from 35 kV to 110 kV.
      absl::CivilDay rebuilt =
          rng.DayBetween(absl::CivilDay(2020, 1, 1), absl::CivilDay(2025, 12, 1));
      int old_level = s.level + 1;
      while (old_level < static_cast<int>(levels.size()) && levels[old_level].nominal_kv != 35) {
        ++old_level;
      }
      if (old_level >= static_cast<int>(levels.size())) old_level = s.level;
      out.push_back(SubstationRecord(s, s.region, old_level, s.since, rebuilt - 1));
      out.push_back(SubstationRecord(s, s.region, s.level, rebuilt, std::nullopt));
    } else {
      out.push_back(SubstationRecord(s, s.region, s.level, s.since, std::nullopt));
    }
    subs.push_back(std::move(s));
  }
  return subs;
}

int64_t LineLengthM(Rng& rng, int kv) {
  int64_t lo = 2, hi = 30;
  if (kv >= 1150) {
    lo = 400, hi = 700;
  } else if (kv >= 500) {
    lo = 150, hi = 550;
  } else if (kv >= 220) {
    lo = 40, hi = 220;
  } else if (kv >= 110) {
    lo = 8, hi = 80;
  }
  return rng.Between(lo * 1000, hi * 1000);
}

// Power lines: a feeding line from a higher (or equal) level substation of
// the region for every substation, a share of parallel / ring lines, and the
// interregional 220-1150 kV backbone; ~150 lines were rebuilt (an earlier
// version with another length).
void AddPowerLines(Rng& rng, const std::vector<Substation>& subs, int target,
                   std::vector<v1::ReferenceRecord>& out) {
  const auto& levels = SeededVoltageLevels();
  std::map<std::string, std::vector<int>> by_region;
  std::vector<int> backbone;
  for (size_t i = 0; i < subs.size(); ++i) {
    by_region[subs[i].region].push_back(static_cast<int>(i));
    if (levels[subs[i].level].nominal_kv >= 220) backbone.push_back(static_cast<int>(i));
  }
  std::set<std::tuple<int, int, int>> pairs;
  int serial = 0;
  int rebuilt = 0;
  auto add = [&](int a, int b) {
    if (a == b) return;
    const int level = std::max(subs[a].level, subs[b].level);  // the lower voltage
    const int kv = levels[level].nominal_kv;
    const Substation& sa = subs[a];
    const Substation& sb = subs[b];
    int circuit = 1;
    while (!pairs.insert({std::min(a, b), std::max(a, b), circuit}).second) ++circuit;
    const std::string circuit_text = circuit > 1 ? absl::StrCat(" цепь ", circuit) : "";
    const std::string code = absl::StrFormat("VL-%s-%05d", RegionDigits(sa.region), ++serial);
    const std::string name =
        absl::StrCat("ВЛ ", kv, " кВ «", sa.word, " – ", sb.word, "»", circuit_text);
    const std::string name_kk =
        absl::StrCat("«", sa.word, " – ", sb.word, "» ", kv, " кВ ӘЖ", circuit_text);
    const absl::CivilDay since = std::max(sa.since, sb.since);
    const int64_t length = LineLengthM(rng, kv);
    auto record = [&](absl::CivilDay from, std::optional<absl::CivilDay> to, int64_t len) {
      v1::ReferenceRecord r =
          BaseRecord(v1::REFERENCE_KIND_POWER_LINE, code, name, name_kk, from, to);
      auto* d = r.mutable_power_line();
      d->set_from_substation_code(sa.code);
      d->set_to_substation_code(sb.code);
      d->set_voltage_level_code(levels[level].code);
      d->set_length_m(len);
      return r;
    };
    if (since == kGoLive && rebuilt < 150 && rng.Chance(16)) {
      ++rebuilt;
      absl::CivilDay when = rng.DayBetween(absl::CivilDay(2019, 6, 1), absl::CivilDay(2026, 3, 1));
      out.push_back(record(since, when - 1, length));
      out.push_back(record(when, std::nullopt, length * rng.Jitter(120) / 1000));
    } else {
      out.push_back(record(since, std::nullopt, length));
    }
  };
  // Feeding lines.
  for (const auto& [region, members] : by_region) {
    for (size_t k = 1; k < members.size(); ++k) {
      const int s = members[k];
      // Prefer a feeder of a higher or equal level among the earlier ones.
      int best = members[rng.Below(k)];
      for (int tries = 0; tries < 4 && subs[best].level > subs[s].level; ++tries) {
        best = members[rng.Below(k)];
      }
      add(best, s);
    }
  }
  // The backbone between regions.
  for (size_t k = 1; k < backbone.size(); ++k) {
    add(backbone[rng.Below(k)], backbone[k]);
  }
  // Ring and parallel lines within regions up to the target.
  std::vector<std::string> region_keys;
  for (const auto& [region, members] : by_region) region_keys.push_back(region);
  while (static_cast<int>(out.size()) < target) {
    const auto& members = by_region[rng.Pick(region_keys)];
    if (members.size() < 2) continue;
    add(members[rng.Below(members.size())], members[rng.Below(members.size())]);
  }
}

// ---------------------------------------------------------------------------
// Participants
// ---------------------------------------------------------------------------

struct Profile {
  int monthly_gwh = 0;    // for declared volumes
  absl::CivilDay since;   // first day on the market
  bool declares = false;  // files declared volumes every month
};

const RegionInfo& RegionByCode(absl::string_view code) {
  for (const auto& r : Regions()) {
    if (r.code == code) return r;
  }
  return Regions().front();
}

bool HasRole(const v1::Participant& p, v1::ParticipantRole role) {
  for (int r : p.roles()) {
    if (r == role) return true;
  }
  return false;
}

std::string FemaleForm(absl::string_view surname) {
  std::string s(surname);
  if (absl::EndsWith(s, "ов") || absl::EndsWith(s, "ев") || absl::EndsWith(s, "ин")) {
    return s + "а";
  }
  return s;
}

std::string FemalePatronymic(absl::string_view male) {
  std::string s(male);
  if (absl::EndsWith(s, "ич")) s = s.substr(0, s.size() - std::string("ич").size()) + "на";
  return s;
}

v1::Contact MakeContact(Rng& rng, absl::string_view domain) {
  v1::Contact c;
  const bool female = rng.Chance(400);
  absl::string_view surname = rng.Pick(MaleSurnames());
  std::string first(female ? rng.Pick(FemaleFirstNames()) : rng.Pick(MaleFirstNames()));
  std::string patronymic(rng.Pick(Patronymics()));
  std::string last(surname);
  if (female) {
    last = FemaleForm(surname);
    patronymic = FemalePatronymic(patronymic);
  }
  c.set_name(absl::StrCat(last, " ", first, " ", patronymic));
  c.set_position(std::string(rng.Pick(ContactPositions())));
  static const std::vector<int> kMobile = {700, 701, 702, 705, 707, 747, 771, 775, 777, 778};
  c.set_phone(absl::StrFormat(
      "+7 %d %03d %02d %02d", rng.Pick(kMobile), static_cast<int>(rng.Between(100, 999)),
      static_cast<int>(rng.Between(0, 99)), static_cast<int>(rng.Between(0, 99))));
  c.set_email(absl::StrCat(Lower(Transliterate(first)).substr(0, 1), ".",
                           Lower(Transliterate(last)), "@", domain));
  return c;
}

std::string Address(Rng& rng, const RegionInfo& region, const Town& town) {
  std::string street(rng.Pick(StreetNames()));
  const int house = static_cast<int>(rng.Between(1, 180));
  if (region.towns.size() == 1) {  // a city of republican significance
    return absl::StrCat("Республика Казахстан, г. ", town.ru, ", ", street, ", ", house);
  }
  return absl::StrCat("Республика Казахстан, ", region.name_ru, ", г. ", town.ru, ", ", street,
                      ", ", house);
}

// The town a named company is in: one whose name its legal name contains,
// else the regional centre.
const Town& TownOf(const RegionInfo& region, absl::string_view legal_name) {
  for (const auto& t : region.towns) {
    std::string stem(t.ru);
    if (stem.size() > 4) stem = stem.substr(0, stem.size() - 2);  // drop the last Cyrillic letter
    if (legal_name.find(stem) != absl::string_view::npos) return t;
  }
  return region.towns.front();
}

std::string ShortCore(absl::string_view short_name) {
  // "ТОО «Экибастузская ГРЭС-1»" -> "Экибастузская ГРЭС-1"
  const absl::string_view open = "«";
  size_t a = short_name.find(open);
  if (a == absl::string_view::npos) return std::string(short_name);
  std::string core(short_name.substr(a + open.size()));
  const std::string close = "»";
  while (absl::EndsWith(core, close)) core.resize(core.size() - close.size());
  return core;
}

class EicFactory {
 public:
  // "55X" (a demo issuing-office prefix) + 9 characters from the name + a
  // 3-digit counter, then the check character; counters whose check would be
  // '-' (EicCheckChar returns '\0') are skipped.
  std::string Next(absl::string_view short_name) {
    std::string letters;
    for (char c : Upper(Transliterate(ShortCore(short_name)))) {
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) letters.push_back(c);
      if (letters.size() == 9) break;
    }
    while (letters.size() < 9) letters.push_back('-');
    while (true) {
      std::string first15 = absl::StrFormat("55X%s%03d", letters, counter_++ % 1000);
      char check = EicCheckChar(first15);
      if (check == '\0') continue;
      std::string eic = first15 + check;
      if (used_.insert(eic).second) return eic;
    }
  }

 private:
  int counter_ = 1;
  std::set<std::string> used_;
};

struct GeneratedParticipants {
  std::vector<DemoParticipant> participants;
  std::vector<Profile> profiles;
};

GeneratedParticipants MakeParticipants(Rng& rng, BinFactory& bins) {
  constexpr int kTotal = 260;
  GeneratedParticipants g;
  std::set<std::string> names;
  auto add = [&](std::string legal, std::string short_name, absl::string_view region,
                 std::vector<v1::ParticipantRole> roles, int gwh, absl::CivilDay since) {
    if (!names.insert(legal).second) return false;
    DemoParticipant dp;
    v1::Participant& p = dp.participant;
    p.set_legal_name(legal);
    p.set_short_name(short_name);
    p.set_region_code(std::string(region));
    for (auto r : roles) p.add_roles(r);
    p.set_status(v1::PARTICIPANT_STATUS_ACTIVE);
    g.participants.push_back(std::move(dp));
    g.profiles.push_back(Profile{gwh, since, false});
    return true;
  };

  for (const NamedParticipant& n : NamedParticipants()) {
    add(std::string(n.legal_name), std::string(n.short_name), n.region, n.roles, n.monthly_gwh,
        kGoLive);
  }
  // Regions weighted by consumption for generated participants.
  std::vector<int64_t> weights;
  for (const auto& r : Regions()) weights.push_back(r.consumption_gwh);
  auto region_pick = [&]() -> const RegionInfo& { return Regions()[rng.Weighted(weights)]; };
  auto late_since = [&]() {
    return rng.Chance(700)
               ? kGoLive
               : rng.DayBetween(absl::CivilDay(2019, 2, 1), absl::CivilDay(2025, 12, 1));
  };

  // Energy suppliers in the regional centres not covered by name.
  for (const auto& r : Regions()) {
    if (r.towns.size() == 1) continue;
    const Town& centre = r.towns.front();
    std::string name = absl::StrCat("ТОО «", centre.ru, "энергосбыт»");
    add(name, name, r.code, {v1::PARTICIPANT_ROLE_ENERGY_SUPPLIER},
        static_cast<int>(rng.Between(20, 120)), kGoLive);
  }
  // Renewable plants (the single buyer's counterparties), mostly since 2019.
  const std::vector<absl::string_view> kRes = {"СЭС ", "ВЭС ", "", "Малая ГЭС ", ""};
  const std::vector<absl::string_view> kResSuffix = {"", "", " Солар", "", " Wind Power"};
  for (int i = 0; i < 40; ++i) {
    const RegionInfo& r = region_pick();
    const Town& t = rng.Pick(r.towns);
    size_t kind = rng.Below(kRes.size());
    std::string name = absl::StrCat("ТОО «", kRes[kind], t.ru, kResSuffix[kind], "»");
    if (names.count(name))
      name = absl::StrCat("ТОО «", kRes[kind], t.ru, kResSuffix[kind], "-", rng.Between(2, 5), "»");
    add(name, name, r.code, {v1::PARTICIPANT_ROLE_GENERATOR}, static_cast<int>(rng.Between(2, 18)),
        rng.DayBetween(absl::CivilDay(2019, 1, 1), absl::CivilDay(2025, 12, 1)));
  }
  // Traders, exporters and importers.
  const std::vector<std::pair<absl::string_view, std::vector<v1::ParticipantRole>>> kTraders = {
      {"ТОО «Казэнерготрейд»", {v1::PARTICIPANT_ROLE_TRADER}},
      {"ТОО «Энерготрейд Астана»", {v1::PARTICIPANT_ROLE_TRADER}},
      {"ТОО «Балансирующий рынок Сервис»", {v1::PARTICIPANT_ROLE_TRADER}},
      {"ТОО «Energy Trading Company»", {v1::PARTICIPANT_ROLE_TRADER}},
      {"ТОО «Энергоэкспорт»", {v1::PARTICIPANT_ROLE_EXPORTER}},
      {"ТОО «Транзит Энерго»", {v1::PARTICIPANT_ROLE_IMPORTER, v1::PARTICIPANT_ROLE_EXPORTER}},
  };
  for (const auto& [name, roles] : kTraders) {
    add(std::string(name), std::string(name), "KZ-71", roles, static_cast<int>(rng.Between(10, 60)),
        late_since());
  }
  // Consumers up to the total.
  const std::vector<absl::string_view> kForms = {"ТОО", "ТОО", "ТОО", "АО"};
  while (static_cast<int>(g.participants.size()) < kTotal) {
    const RegionInfo& r = region_pick();
    const Town& t = rng.Pick(r.towns);
    std::string name =
        absl::StrCat(rng.Pick(kForms), " «", t.ru, " ", rng.Pick(ConsumerKinds()), "»");
    // Consumer sizes: many small, a few large.
    int gwh = static_cast<int>(rng.Between(2, 12));
    if (rng.Chance(250)) gwh = static_cast<int>(rng.Between(12, 60));
    if (rng.Chance(60)) gwh = static_cast<int>(rng.Between(60, 200));
    std::vector<v1::ParticipantRole> roles = {v1::PARTICIPANT_ROLE_CONSUMER};
    if (rng.Chance(40)) roles.push_back(v1::PARTICIPANT_ROLE_GENERATOR);  // own CHP
    add(name, name, r.code, roles, gwh, late_since());
  }

  // Identifiers, accounts, addresses, contacts.
  std::vector<int64_t> bank_weights;
  for (const auto& b : Banks()) {
    int64_t w = 20;
    if (b.bik == "HSBKKZKX") w = 300;
    if (b.bik == "KCJBKZKX") w = 140;
    if (b.bik == "IRTYKZKA" || b.bik == "TSESKZKA") w = 90;
    if (b.bik == "CASPKZKA" || b.bik == "SABRKZKA" || b.bik == "EURIKZKA") w = 50;
    if (b.bik == "NBRKKZKX" || b.bik == "DVKAKZKA" || b.bik == "HCSKKZKA") w = 0;
    bank_weights.push_back(w);
  }
  EicFactory eics;
  for (size_t i = 0; i < g.participants.size(); ++i) {
    DemoParticipant& dp = g.participants[i];
    v1::Participant& p = dp.participant;
    dp.key = absl::StrFormat("p%04d", i + 1);
    p.set_bin(bins.Next(rng));
    const bool market_actor =
        !HasRole(p, v1::PARTICIPANT_ROLE_CONSUMER) || HasRole(p, v1::PARTICIPANT_ROLE_GENERATOR);
    if (market_actor ? rng.Chance(850) : rng.Chance(250)) p.set_eic(eics.Next(p.short_name()));
    const RegionInfo& region = RegionByCode(p.region_code());
    const Town& town = TownOf(region, p.legal_name());
    p.set_legal_address(Address(rng, region, town));
    if (rng.Chance(120)) p.set_postal_address(Address(rng, region, town));

    const BankInfo& bank = Banks()[rng.Weighted(bank_weights)];
    auto* account = p.mutable_bank_account();
    account->set_iik(
        MakeIik(bank.iban_code,
                absl::StrFormat("%013d", static_cast<int64_t>(rng.Between(1, 9'999'999'999'999)))));
    account->set_bik(std::string(bank.bik));
    account->set_bank_name(std::string(bank.name_ru));
    static const std::vector<absl::string_view> kState = {"ГКП", "РФЦ",         "КОРЭМ", "Самрук",
                                                          "ҚТЖ", "КазТрансОйл", "МАЭК"};
    bool state_owned = false;
    for (auto marker : kState) state_owned |= absl::StrContains(p.short_name(), marker);
    account->set_kbe(state_owned ? "16" : "17");

    std::string domain = Lower(Transliterate(ShortCore(p.short_name())));
    std::string clean;
    for (char c : domain) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) clean.push_back(c);
      if (c == ' ' || c == '-') clean.push_back('-');
    }
    while (!clean.empty() && clean.back() == '-') clean.pop_back();
    if (clean.empty()) clean = dp.key;
    clean += ".kz";
    const int contacts = rng.Chance(350) ? 2 : 1;
    for (int k = 0; k < contacts; ++k) *p.add_contacts() = MakeContact(rng, clean);
    if (rng.Chance(700)) {
      p.set_vat_certificate(absl::StrFormat("Серия %s001 № %07d", RegionDigits(p.region_code()),
                                            static_cast<int>(rng.Between(1, 9'999'999))));
    }
    Profile& prof = g.profiles[i];
    prof.declares = prof.monthly_gwh >= 15 ||
                    HasRole(p, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY) ||
                    HasRole(p, v1::PARTICIPANT_ROLE_ENERGY_SUPPLIER);
  }

  // ~5% suspended, ~3% terminated, among the smaller participants.
  std::vector<size_t> candidates;
  for (size_t i = 0; i < g.participants.size(); ++i) {
    const auto& p = g.participants[i].participant;
    if (i >= NamedParticipants().size() && !HasRole(p, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY))
      candidates.push_back(i);
  }
  const std::vector<absl::string_view> kSuspend = {
      "Задолженность по оплате услуг более двух месяцев (уведомление о приостановлении)",
      "Приостановление по заявлению участника на период реконструкции",
      "Отсутствие действующего договора купли-продажи электроэнергии"};
  const std::vector<absl::string_view> kTerminate = {
      "Ликвидация юридического лица",
      "Реорганизация в форме присоединения к другому участнику рынка",
      "Выход с оптового рынка электроэнергии по заявлению участника"};
  const int suspended = kTotal * 5 / 100;
  const int terminated = kTotal * 3 / 100;
  for (int k = 0; k < suspended + terminated && !candidates.empty(); ++k) {
    size_t at = rng.Below(candidates.size());
    DemoParticipant& dp = g.participants[candidates[at]];
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(at));
    if (k < suspended) {
      dp.final_status = v1::PARTICIPANT_STATUS_SUSPENDED;
      dp.status_reason = std::string(rng.Pick(kSuspend));
    } else {
      dp.final_status = v1::PARTICIPANT_STATUS_TERMINATED;
      dp.status_reason = std::string(rng.Pick(kTerminate));
    }
  }
  return g;
}

// ---------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------

absl::string_view ServicePrefix(v1::ServiceType s) {
  switch (s) {
    case v1::SERVICE_TYPE_TRANSMISSION:
      return "ПЭ";
    case v1::SERVICE_TYPE_TECHNICAL_DISPATCHING:
      return "ТД";
    case v1::SERVICE_TYPE_BALANCING:
      return "БЛ";
    case v1::SERVICE_TYPE_GRID_USE:
      return "ПС";
    default:
      return "XX";
  }
}

absl::string_view ServiceWords(v1::ServiceType s) {
  switch (s) {
    case v1::SERVICE_TYPE_TRANSMISSION:
      return "передаче электрической энергии по национальной электрической сети";
    case v1::SERVICE_TYPE_TECHNICAL_DISPATCHING:
      return "технической диспетчеризации отпуска в сеть и потребления электрической энергии";
    case v1::SERVICE_TYPE_BALANCING:
      return "организации балансирования производства-потребления электрической энергии";
    case v1::SERVICE_TYPE_GRID_USE:
      return "пользованию национальной электрической сетью";
    default:
      return "";
  }
}

std::vector<DemoContract> MakeContracts(Rng& rng, const std::vector<Substation>& subs,
                                        const GeneratedParticipants& g) {
  std::map<std::string, std::vector<const Substation*>> subs_by_region;
  for (const auto& s : subs) subs_by_region[s.region].push_back(&s);
  std::map<std::string, int> seq;  // per prefix and year
  std::vector<DemoContract> out;

  auto make = [&](int pi, v1::ServiceType service, absl::CivilDay from,
                  std::optional<absl::CivilDay> to) -> DemoContract& {
    const v1::Participant& p = g.participants[pi].participant;
    DemoContract dc;
    dc.participant = pi;
    v1::Contract& c = dc.contract;
    const std::string key = absl::StrCat(ServicePrefix(service), "-", from.year());
    c.set_number(absl::StrFormat("%s-%04d", key, ++seq[key]));
    c.set_service_type(service);
    *c.mutable_signed_on() = ToDate(from - rng.Between(5, 40));
    *c.mutable_valid_from() = ToDate(from);
    if (to) *c.mutable_valid_to() = ToDate(*to);
    static const std::vector<int> kDue = {20, 20, 20, 25, 15};
    c.mutable_payment_terms()->set_due_day(rng.Pick(kDue));
    static const std::vector<std::string> kShare = {"0", "0", "0", "0.5", "1"};
    c.mutable_payment_terms()->set_prepayment_share(rng.Pick(kShare));
    if (service == v1::SERVICE_TYPE_TRANSMISSION ||
        service == v1::SERVICE_TYPE_TECHNICAL_DISPATCHING) {
      const auto& local = subs_by_region[p.region_code()];
      const int points = static_cast<int>(rng.Between(1, 4));
      std::set<std::string> codes;
      for (int k = 0; k < points && !local.empty(); ++k) {
        codes.insert(absl::StrCat("MP-", rng.Pick(local)->code.substr(3), "-",
                                  absl::StrFormat("%02d", rng.Between(1, 12))));
      }
      for (const auto& code : codes) c.add_metering_point_codes(code);
    }
    out.push_back(std::move(dc));
    return out.back();
  };
  auto activate = [](DemoContract& dc) {
    ContractStep s;
    s.to = v1::CONTRACT_STATE_ACTIVE;
    dc.steps.push_back(s);
    dc.final_state = v1::CONTRACT_STATE_ACTIVE;
  };
  auto transition = [](DemoContract& dc, v1::ContractState to, std::string reason) {
    ContractStep s;
    s.to = to;
    s.reason = std::move(reason);
    dc.steps.push_back(std::move(s));
    dc.final_state = to;
  };

  for (size_t i = 0; i < g.participants.size(); ++i) {
    const int pi = static_cast<int>(i);
    const DemoParticipant& dp = g.participants[i];
    const v1::Participant& p = dp.participant;
    const Profile& prof = g.profiles[i];
    std::vector<v1::ServiceType> services;
    const bool consumer = HasRole(p, v1::PARTICIPANT_ROLE_CONSUMER);
    const bool dist = HasRole(p, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY);
    if (consumer || dist || HasRole(p, v1::PARTICIPANT_ROLE_EXPORTER)) {
      services.push_back(v1::SERVICE_TYPE_TRANSMISSION);
    }
    if (consumer || HasRole(p, v1::PARTICIPANT_ROLE_GENERATOR)) {
      services.push_back(v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
    }
    services.push_back(v1::SERVICE_TYPE_BALANCING);
    if (dist || HasRole(p, v1::PARTICIPANT_ROLE_ENERGY_SUPPLIER) ||
        HasRole(p, v1::PARTICIPANT_ROLE_TRADER) || (consumer && rng.Chance(300))) {
      services.push_back(v1::SERVICE_TYPE_GRID_USE);
    }
    // An active consumer about to take up the use of the national grid: a
    // draft contract from next year.
    if (consumer && dp.final_status == v1::PARTICIPANT_STATUS_ACTIVE &&
        std::find(services.begin(), services.end(), v1::SERVICE_TYPE_GRID_USE) == services.end() &&
        rng.Chance(60)) {
      make(pi, v1::SERVICE_TYPE_GRID_USE, absl::CivilDay(2027, 1, 1), std::nullopt);
    }
    for (v1::ServiceType service : services) {
      absl::CivilDay from = prof.since;
      if (service == v1::SERVICE_TYPE_GRID_USE) from = std::max(from, kGridUseStart);
      // A newcomer's contract still being prepared: a draft starting next year.
      if (dp.final_status == v1::PARTICIPANT_STATUS_ACTIVE &&
          prof.since > absl::CivilDay(2025, 6, 1) && rng.Chance(500)) {
        make(pi, service, absl::CivilDay(2027, 1, 1), std::nullopt);
        continue;
      }
      // Some contracts of 2019 expired at the end of 2022 and were replaced.
      if (from == kGoLive && service != v1::SERVICE_TYPE_GRID_USE && rng.Chance(35)) {
        DemoContract& old = make(pi, service, from, absl::CivilDay(2022, 12, 31));
        activate(old);
        transition(old, v1::CONTRACT_STATE_TERMINATED,
                   "Истечение срока действия; заключен новый договор");
        from = absl::CivilDay(2023, 1, 1);
      }
      std::optional<absl::CivilDay> to;
      if (rng.Chance(150)) to = absl::CivilDay(2027 + static_cast<int>(rng.Below(3)), 12, 31);
      DemoContract& dc = make(pi, service, from, to);
      activate(dc);
      // Amendments while in force.
      if (rng.Chance(110)) {
        // The contract is created with the original terms; each amendment
        // builds on the previous one.
        const v1::Contract original = dc.contract;
        const int n = rng.Chance(300) ? 2 : 1;
        std::vector<absl::CivilDay> effective;
        for (int k = 0; k < n; ++k) {
          effective.push_back(rng.DayBetween(std::max(from, absl::CivilDay(2020, 1, 1)) + 30,
                                             absl::CivilDay(2026, 10, 1)));
        }
        std::sort(effective.begin(), effective.end());
        for (int k = 1; k <= n; ++k) {
          ContractStep s;
          s.kind = ContractStep::Kind::kAmendment;
          s.amendment_number = absl::StrCat("ДС-", k);
          s.effective_date = effective[k - 1];
          s.changes = dc.contract;
          switch (rng.Below(3)) {
            case 0:
              s.reason = "Изменение срока оплаты по соглашению сторон";
              s.changes.mutable_payment_terms()->set_due_day(
                  dc.contract.payment_terms().due_day() == 25 ? 20 : 25);
              s.mask = {"payment_terms.due_day"};
              break;
            case 1:
              s.reason = "Подключение новой точки коммерческого учета";
              s.changes.add_metering_point_codes(
                  absl::StrFormat("MP-%s-%04d-N%d", RegionDigits(p.region_code()),
                                  static_cast<int>(rng.Between(1, 9999)), k));
              s.mask = {"metering_point_codes"};
              break;
            default:
              s.reason = "Продление срока действия договора";
              *s.changes.mutable_valid_to() =
                  ToDate(absl::CivilDay(2030 + static_cast<int>(rng.Below(3)), 12, 31));
              s.mask = {"valid_to"};
          }
          dc.contract = s.changes;
          dc.steps.push_back(std::move(s));
        }
        dc.contract = original;
      }
      if (dp.final_status == v1::PARTICIPANT_STATUS_SUSPENDED) {
        transition(dc, v1::CONTRACT_STATE_SUSPENDED,
                   "Приостановление в связи с приостановлением деятельности участника");
      } else if (dp.final_status == v1::PARTICIPANT_STATUS_TERMINATED) {
        transition(dc, v1::CONTRACT_STATE_TERMINATED,
                   "Расторжение в связи с прекращением деятельности участника");
      } else if (rng.Chance(15)) {
        transition(dc, v1::CONTRACT_STATE_SUSPENDED, "Приостановление: просрочка оплаты");
        if (rng.Chance(600)) transition(dc, v1::CONTRACT_STATE_ACTIVE, "");
      }
    }
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].key = absl::StrFormat("c%04d", i + 1);
  return out;
}

// ---------------------------------------------------------------------------
// Applications
// ---------------------------------------------------------------------------

std::string MonthName(int month) {
  static const char* const kNames[] = {"январь",   "февраль", "март",   "апрель",
                                       "май",      "июнь",    "июль",   "август",
                                       "сентябрь", "октябрь", "ноябрь", "декабрь"};
  return kNames[month - 1];
}

std::vector<DemoApplication> MakeApplications(Rng& rng, const Options& options,
                                              const GeneratedParticipants& g,
                                              const std::vector<DemoContract>& contracts) {
  // Contracts in force (at the end) per participant and service.
  std::vector<std::map<v1::ServiceType, int>> active(g.participants.size());
  std::vector<std::vector<int>> any(g.participants.size());
  for (size_t c = 0; c < contracts.size(); ++c) {
    const auto& dc = contracts[c];
    any[dc.participant].push_back(static_cast<int>(c));
    if (dc.final_state == v1::CONTRACT_STATE_ACTIVE ||
        dc.final_state == v1::CONTRACT_STATE_SUSPENDED) {
      active[dc.participant][dc.contract.service_type()] = static_cast<int>(c);
    }
  }
  std::vector<int> eligible;
  std::vector<int> declaring;
  for (size_t i = 0; i < g.participants.size(); ++i) {
    if (g.participants[i].final_status == v1::PARTICIPANT_STATUS_TERMINATED) continue;
    if (active[i].empty()) continue;
    eligible.push_back(static_cast<int>(i));
    if (g.profiles[i].declares) declaring.push_back(static_cast<int>(i));
  }
  const auto& demand = MonthlyDemandGwh2018();
  int64_t demand_avg = 0;
  for (int d : demand) demand_avg += d;
  demand_avg /= 12;

  std::vector<DemoApplication> out;
  for (int age = 11; age >= 0; --age) {
    const absl::CivilMonth month = options.as_of - age;
    common::v1::BillingPeriod period;
    period.set_year(static_cast<int32_t>(month.year()));
    period.set_month(month.month());
    const std::string month_text = absl::StrCat(MonthName(month.month()), " ", month.year(), " г.");

    // The state an application of this age ends in.
    auto pick_state = [&]() {
      std::vector<int64_t> w;  // DRAFT, SUBMITTED, IN_REVIEW, APPROVED, REJECTED, CLOSED
      if (age >= 2) {
        w = {0, 3, 5, 90, 30, 872};
      } else if (age == 1) {
        w = {20, 150, 200, 380, 90, 160};
      } else {
        w = {300, 330, 200, 110, 60, 0};
      }
      return static_cast<v1::ApplicationState>(rng.Weighted(w) + 1);
    };
    auto add = [&](int pi, int contract, v1::ApplicationType type, std::string subject,
                   std::string body) -> DemoApplication& {
      DemoApplication da;
      da.participant = pi;
      da.contract = contract;
      v1::Application& a = da.application;
      a.set_type(type);
      *a.mutable_period() = period;
      a.set_subject(std::move(subject));
      a.set_body(std::move(body));
      const v1::ApplicationState final_state = pick_state();
      da.final_state = final_state;
      const bool rejected = final_state == v1::APPLICATION_STATE_REJECTED ||
                            (final_state == v1::APPLICATION_STATE_CLOSED && rng.Chance(80));
      auto step = [&](v1::ApplicationState s, std::string resolution = "") {
        da.steps.push_back(ApplicationStep{s, std::move(resolution)});
      };
      if (final_state != v1::APPLICATION_STATE_DRAFT) step(v1::APPLICATION_STATE_SUBMITTED);
      if (final_state >= v1::APPLICATION_STATE_IN_REVIEW) step(v1::APPLICATION_STATE_IN_REVIEW);
      if (final_state == v1::APPLICATION_STATE_APPROVED ||
          (final_state == v1::APPLICATION_STATE_CLOSED && !rejected)) {
        static const std::vector<absl::string_view> kOk = {
            "Согласовано", "Согласовано в заявленных объемах",
            "Принято к исполнению; изменения учтены с начала периода"};
        step(v1::APPLICATION_STATE_APPROVED, std::string(rng.Pick(kOk)));
      }
      if (rejected) {
        static const std::vector<absl::string_view> kNo = {
            "Отклонено: объемы превышают разрешенную мощность по техническим условиям",
            "Отклонено: не приложены акты снятия показаний приборов учета",
            "Отклонено: заявка подана после установленного срока"};
        step(v1::APPLICATION_STATE_REJECTED, std::string(rng.Pick(kNo)));
      }
      if (final_state == v1::APPLICATION_STATE_CLOSED) step(v1::APPLICATION_STATE_CLOSED);
      out.push_back(std::move(da));
      return out.back();
    };

    // Declared volumes: every declaring participant, most months.
    for (int pi : declaring) {
      if (!rng.Chance(960)) continue;
      const Profile& prof = g.profiles[pi];
      DemoApplication& da = add(pi, -1, v1::APPLICATION_TYPE_DECLARED_VOLUMES,
                                absl::StrCat("Заявленные объемы услуг на ", month_text),
                                absl::StrCat("Просим принять заявленные объемы услуг на ",
                                             month_text, " согласно приложению."));
      const int64_t season = demand[month.month() - 1];
      for (const auto& [service, contract] : active[pi]) {
        int64_t share = 1000;
        if (service == v1::SERVICE_TYPE_GRID_USE) share = 600;
        // GWh -> Wh, with the seasonal profile and +-6% noise.
        int64_t wh = static_cast<int64_t>(prof.monthly_gwh) * 1'000'000'000 / 1000 * season /
                     demand_avg * share / 1000 * rng.Jitter(60);
        wh -= wh % 1000;  // whole kWh
        v1::DeclaredVolume* v = da.application.add_declared_volumes();
        v->set_service_type(service);
        v->set_volume_wh(wh);
      }
    }
    // Other requests, about 70 a month.
    for (int k = 0; k < 70; ++k) {
      const int pi = rng.Pick(eligible);
      const auto& mine = active[pi];
      std::vector<int> ids;
      for (const auto& [service, c] : mine) ids.push_back(c);
      const int contract = ids[rng.Below(ids.size())];
      const v1::Contract& c = contracts[contract].contract;
      switch (rng.Weighted({130, 80, 100, 70})) {
        case 0:
          add(pi, contract, v1::APPLICATION_TYPE_METERING_CORRECTION,
              absl::StrCat("Корректировка данных коммерческого учета за ", month_text),
              absl::StrCat("В связи с заменой трансформатора тока просим скорректировать данные "
                           "учета по договору № ",
                           c.number(), " за ", month_text));
          break;
        case 1:
          add(pi, -1, v1::APPLICATION_TYPE_METERING_POINT_CONNECTION,
              "Подключение точки коммерческого учета к АСКУЭ",
              "Просим включить новую точку учета в систему коммерческого учета и в схему "
              "расчетов с начала следующего месяца.");
          break;
        case 2:
          add(pi, contract, v1::APPLICATION_TYPE_CONTRACT_AMENDMENT,
              absl::StrCat("Изменение условий договора № ", c.number()),
              "Просим внести изменения в договор в части сроков оплаты и перечня точек учета.");
          break;
        default: {
          v1::ServiceType service = c.service_type();
          add(pi, -1, v1::APPLICATION_TYPE_CONTRACT_CONCLUSION,
              "Заключение договора на оказание услуг",
              absl::StrCat("Просим заключить договор на оказание услуг по ", ServiceWords(service),
                           "."));
        }
      }
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    DemoApplication& da = out[i];
    da.key = absl::StrFormat("a%05d", i + 1);
    // Derived from the position, not drawn: the rest of the data set stays
    // what the seed always made.
    const absl::CivilMonth period(da.application.period().year(), da.application.period().month());
    const bool declared = da.application.type() == v1::APPLICATION_TYPE_DECLARED_VOLUMES;
    const absl::CivilDay day = absl::CivilDay(declared ? period - 1 : period) +
                               static_cast<int>(SplitMix(i) % (declared ? 25 : 28));
    da.received = absl::CivilSecond(day.year(), day.month(), day.day(),
                                    9 + static_cast<int>(SplitMix(i + 1) % 8),
                                    static_cast<int>(SplitMix(i + 2) % 60), 0);
  }
  return out;
}

}  // namespace

const std::vector<VoltageLevel>& SeededVoltageLevels() {
  // Highest first. Keep in step with services/contracts/migrations.
  static const auto* const k = new std::vector<VoltageLevel>{
      {"1150", 1150}, {"500", 500}, {"220", 220}, {"110", 110}, {"35", 35}, {"10", 10},
  };
  return *k;
}

int64_t DataSet::reference_count() const {
  int64_t n = 0;
  for (const auto& phase : reference) n += static_cast<int64_t>(phase.records.size());
  return n;
}

DataSet Generate(const Options& options) {
  DataSet data;
  data.options = options;
  BinFactory bins;

  ReferencePhase first{"regions and banks", {}};
  AddRegions(first.records);
  Rng bank_rng(options.seed, kStreamBanks);
  AddBanks(bank_rng, bins, first.records);

  ReferencePhase substations{"substations", {}};
  Rng sub_rng(options.seed, kStreamSubstations);
  std::vector<Substation> subs = AddSubstations(sub_rng, substations.records);

  // ~18,000 records in all, with the ~40 the service seeds itself.
  constexpr int kReferenceTarget = 17'960;
  const int lines_target = kReferenceTarget - static_cast<int>(first.records.size()) -
                           static_cast<int>(substations.records.size());
  ReferencePhase lines{"power lines", {}};
  Rng line_rng(options.seed, kStreamLines);
  AddPowerLines(line_rng, subs, lines_target, lines.records);

  data.reference.push_back(std::move(first));
  data.reference.push_back(std::move(substations));
  data.reference.push_back(std::move(lines));

  Rng part_rng(options.seed, kStreamParticipants);
  GeneratedParticipants g = MakeParticipants(part_rng, bins);
  Rng contract_rng(options.seed, kStreamContracts);
  data.contracts = MakeContracts(contract_rng, subs, g);
  Rng app_rng(options.seed, kStreamApplications);
  data.applications = MakeApplications(app_rng, options, g, data.contracts);
  for (size_t i = 0; i < g.participants.size(); ++i) {
    g.participants[i].monthly_gwh = g.profiles[i].monthly_gwh;
    g.participants[i].since = g.profiles[i].since;
  }
  data.participants = std::move(g.participants);
  return data;
}

std::string DigestOf(const DataSet& data) {
  std::string bytes;
  auto add = [&](const google::protobuf::Message& m) {
    std::string s;
    google::protobuf::io::StringOutputStream stream(&s);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
    coded.Trim();
    absl::StrAppend(&bytes, s.size(), ":", s);
  };
  for (const auto& phase : data.reference) {
    absl::StrAppend(&bytes, phase.name, "\n");
    for (const auto& r : phase.records) add(r);
  }
  for (const auto& p : data.participants) {
    absl::StrAppend(&bytes, p.key, p.final_status, p.status_reason);
    add(p.participant);
  }
  for (const auto& c : data.contracts) {
    absl::StrAppend(&bytes, c.key, c.participant, c.final_state);
    add(c.contract);
    for (const auto& s : c.steps) {
      absl::StrAppend(&bytes, static_cast<int>(s.kind), s.to, s.reason, s.amendment_number,
                      absl::FormatCivilTime(s.effective_date));
      for (const auto& m : s.mask) absl::StrAppend(&bytes, m, ",");
      add(s.changes);
    }
  }
  for (const auto& a : data.applications) {
    absl::StrAppend(&bytes, a.key, a.participant, ":", a.contract, a.final_state);
    add(a.application);
    for (const auto& s : a.steps) absl::StrAppend(&bytes, s.to, s.resolution);
  }
  return Sha256Hex(bytes);
}

}  // namespace gridbill::demo
