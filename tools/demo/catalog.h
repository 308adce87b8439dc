// Fixed tables the demo generator draws from: regions, towns, banks and the
// named market participants. Public facts where noted; everything else is
// plausible demo material, not real registrations.
#pragma once

#include <string_view>
#include <vector>

#include "gridbill/contracts/v1/contracts.pb.h"

namespace gridbill::demo {

struct Town {
  std::string_view ru;
  std::string_view kk;
};

// A region (oblast or city of republican significance) with the towns the
// generator names substations and companies after.
struct RegionInfo {
  std::string_view code;     // ISO 3166-2:KZ numeric style, "KZ-35"
  std::string_view name_ru;  // "Карагандинская область"
  std::string_view name_kk;  // "Қарағанды облысы"
  std::string_view kato;     // 9-digit KATO code (plausible, see catalog.cc)
  std::string_view adjective_ru;  // "Карагандинская" (for company names)
  std::string_view valid_from;    // "YYYY-MM-DD"
  int consumption_gwh;            // 2022 consumption attributed to it (weights)
  std::vector<Town> towns;        // the first is the administrative centre
};

// An earlier version of a region record (same code, closed validity), or a
// predecessor under another code.
struct HistoricRegion {
  std::string_view code;
  std::string_view name_ru;
  std::string_view name_kk;
  std::string_view kato;
  std::string_view valid_from;
  std::string_view valid_to;
};

struct BankInfo {
  std::string_view bik;        // SWIFT-style BIK, 8 characters
  std::string_view iban_code;  // the 3-digit bank code inside a KZ IIK
  std::string_view name_ru;
  std::string_view name_kk;
  std::string_view valid_from;
  // An earlier name under the same BIK, when the bank was renamed.
  std::string_view old_name_ru;
  std::string_view old_name_kk;
  std::string_view renamed_on;  // first day of the current name
};

// A named participant: legal form + name, roles, region code and a rough
// monthly volume (GWh) for declared volumes.
struct NamedParticipant {
  std::string_view legal_name;
  std::string_view short_name;
  std::string_view region;
  std::vector<contracts::v1::ParticipantRole> roles;
  int monthly_gwh;
};

const std::vector<RegionInfo>& Regions();
const std::vector<HistoricRegion>& HistoricRegions();
const std::vector<BankInfo>& Banks();
const std::vector<NamedParticipant>& NamedParticipants();

// Name pools for contacts and generated companies.
const std::vector<std::string_view>& MaleSurnames();
const std::vector<std::string_view>& MaleFirstNames();
const std::vector<std::string_view>& FemaleFirstNames();
// Male patronymics ending in -ович / -евич (the female form is derived).
const std::vector<std::string_view>& Patronymics();
const std::vector<std::string_view>& ContactPositions();
// Industry words for generated consumers: "цементный завод", "горно-обогатительный комбинат".
const std::vector<std::string_view>& ConsumerKinds();
const std::vector<std::string_view>& StreetNames();

// Monthly national demand in 2018 (GWh, January first), the seasonal profile.
const std::vector<int>& MonthlyDemandGwh2018();

}  // namespace gridbill::demo
