// Fixed tables the demo generator draws from: regions, towns, banks and the
// named market participants. Public facts where noted; everything else is
// plausible demo material, not real registrations.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "gridbill/contracts/v1/contracts.pb.h"

namespace gridbill::demo {

struct Town {
  absl::string_view ru;
  absl::string_view kk;
};

// A region (oblast or city of republican significance) with the towns the
// generator names substations and companies after.
struct RegionInfo {
  absl::string_view code;          // ISO 3166-2:KZ numeric style, "KZ-35"
  absl::string_view name_ru;       // "Карагандинская область"
  absl::string_view name_kk;       // "Қарағанды облысы"
  absl::string_view kato;          // 9-digit KATO code (plausible, see catalog.cc)
  absl::string_view adjective_ru;  // "Карагандинская" (for company names)
  absl::string_view valid_from;    // "YYYY-MM-DD"
  int consumption_gwh;             // 2022 consumption attributed to it (weights)
  std::vector<Town> towns;         // the first is the administrative centre
};

// An earlier version of a region record (same code, closed validity), or a
// predecessor under another code.
struct HistoricRegion {
  absl::string_view code;
  absl::string_view name_ru;
  absl::string_view name_kk;
  absl::string_view kato;
  absl::string_view valid_from;
  absl::string_view valid_to;
};

struct BankInfo {
  absl::string_view bik;        // SWIFT-style BIK, 8 characters
  absl::string_view iban_code;  // the 3-digit bank code inside a KZ IIK
  absl::string_view name_ru;
  absl::string_view name_kk;
  absl::string_view valid_from;
  // An earlier name under the same BIK, when the bank was renamed.
  absl::string_view old_name_ru;
  absl::string_view old_name_kk;
  absl::string_view renamed_on;  // first day of the current name
};

// A named participant: legal form + name, roles, region code and a rough
// monthly volume (GWh) for declared volumes.
struct NamedParticipant {
  absl::string_view legal_name;
  absl::string_view short_name;
  absl::string_view region;
  std::vector<contracts::v1::ParticipantRole> roles;
  int monthly_gwh;
};

const std::vector<RegionInfo>& Regions();
const std::vector<HistoricRegion>& HistoricRegions();
const std::vector<BankInfo>& Banks();
const std::vector<NamedParticipant>& NamedParticipants();

// Name pools for contacts and generated companies.
const std::vector<absl::string_view>& MaleSurnames();
const std::vector<absl::string_view>& MaleFirstNames();
const std::vector<absl::string_view>& FemaleFirstNames();
// Male patronymics ending in -ович / -евич (the female form is derived).
const std::vector<absl::string_view>& Patronymics();
const std::vector<absl::string_view>& ContactPositions();
// Industry words for generated consumers: "цементный завод", "горно-обогатительный комбинат".
const std::vector<absl::string_view>& ConsumerKinds();
const std::vector<absl::string_view>& StreetNames();

// Monthly national demand in 2018 (GWh, January first), the seasonal profile.
const std::vector<int>& MonthlyDemandGwh2018();

}  // namespace gridbill::demo
