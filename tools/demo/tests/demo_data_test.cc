#include "tools/demo/demo_data.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "gridbill/domain/identifiers.h"

namespace gridbill::demo {
namespace {

// Generating the full set takes a moment; share one per seed.
const DataSet& Seed42() {
  static const DataSet* const data = new DataSet(Generate(Options{.seed = 42}));
  return *data;
}

TEST_CASE("the same seed generates byte-identical data", "[demo]") {
  const DataSet again = Generate(Options{.seed = 42});
  CHECK(DigestOf(again) == DigestOf(Seed42()));
  REQUIRE(again.participants.size() == Seed42().participants.size());
  CHECK(again.participants[7].participant.SerializeAsString() ==
        Seed42().participants[7].participant.SerializeAsString());
}

TEST_CASE("a different seed generates different data", "[demo]") {
  const DataSet other = Generate(Options{.seed = 43});
  CHECK(DigestOf(other) != DigestOf(Seed42()));
  CHECK(other.participants[100].participant.bin() != Seed42().participants[100].participant.bin());
}

TEST_CASE("another as-of month moves only the applications", "[demo]") {
  const DataSet later = Generate(Options{.seed = 42, .as_of = absl::CivilMonth(2027, 1)});
  CHECK(later.participants[5].participant.SerializeAsString() ==
        Seed42().participants[5].participant.SerializeAsString());
  CHECK(later.contracts[5].contract.SerializeAsString() ==
        Seed42().contracts[5].contract.SerializeAsString());
  CHECK(later.applications.back().application.period().year() == 2027);
}

TEST_CASE("the counts are at the reference system's scale", "[demo]") {
  const DataSet& d = Seed42();
  CHECK(d.participants.size() >= 250);
  CHECK(d.participants.size() <= 270);
  CHECK(d.contracts.size() >= 700);
  CHECK(d.contracts.size() <= 800);
  CHECK(d.applications.size() >= 2200);
  CHECK(d.applications.size() <= 2400);
  CHECK(d.reference_count() >= 17000);
  CHECK(d.reference_count() <= 19000);
}

TEST_CASE("every BIN and EIC validates", "[demo]") {
  const DataSet& d = Seed42();
  std::set<std::string> bins;
  int eics = 0;
  for (const auto& p : d.participants) {
    INFO(p.participant.short_name());
    CHECK(ValidateBin(p.participant.bin()).ok());
    CHECK(bins.insert(p.participant.bin()).second);
    if (!p.participant.eic().empty()) {
      ++eics;
      CHECK(ValidateEic(p.participant.eic()).ok());
    }
  }
  CHECK(eics > 50);
  for (const auto& phase : d.reference) {
    for (const auto& r : phase.records) {
      if (r.has_bank() && !r.bank().bin().empty()) CHECK(ValidateBin(r.bank().bin()).ok());
    }
  }
}

TEST_CASE("every application and contract state appears", "[demo]") {
  const DataSet& d = Seed42();
  std::map<v1::ApplicationState, int> app_states;
  for (const auto& a : d.applications) ++app_states[a.final_state];
  for (int s = v1::APPLICATION_STATE_DRAFT; s <= v1::APPLICATION_STATE_CLOSED; ++s) {
    INFO(v1::ApplicationState_Name(s));
    CHECK(app_states[static_cast<v1::ApplicationState>(s)] > 0);
  }
  std::map<v1::ContractState, int> contract_states;
  for (const auto& c : d.contracts) ++contract_states[c.final_state];
  for (int s = v1::CONTRACT_STATE_DRAFT; s <= v1::CONTRACT_STATE_TERMINATED; ++s) {
    INFO(v1::ContractState_Name(s));
    CHECK(contract_states[static_cast<v1::ContractState>(s)] > 0);
  }
  // Mostly active.
  CHECK(contract_states[v1::CONTRACT_STATE_ACTIVE] * 10 > static_cast<int>(d.contracts.size()) * 8);
}

TEST_CASE("every service and application type is covered", "[demo]") {
  const DataSet& d = Seed42();
  std::set<int> services;
  int amended = 0;
  for (const auto& c : d.contracts) {
    services.insert(c.contract.service_type());
    for (const auto& s : c.steps) amended += s.kind == ContractStep::Kind::kAmendment;
    if (c.contract.service_type() == v1::SERVICE_TYPE_GRID_USE) {
      CHECK(c.contract.valid_from().year() * 100 + c.contract.valid_from().month() >= 202307);
    }
  }
  CHECK(services.size() == 4);
  CHECK(amended > 20);
  std::set<int> types;
  for (const auto& a : d.applications) types.insert(a.application.type());
  CHECK(types.size() == 5);
}

TEST_CASE("participant statuses: ~5% suspended, ~3% terminated", "[demo]") {
  const DataSet& d = Seed42();
  int suspended = 0, terminated = 0;
  for (const auto& p : d.participants) {
    suspended += p.final_status == v1::PARTICIPANT_STATUS_SUSPENDED;
    terminated += p.final_status == v1::PARTICIPANT_STATUS_TERMINATED;
    if (p.final_status != v1::PARTICIPANT_STATUS_ACTIVE) CHECK_FALSE(p.status_reason.empty());
  }
  CHECK(suspended >= 10);
  CHECK(suspended <= 16);
  CHECK(terminated >= 5);
  CHECK(terminated <= 10);
}

TEST_CASE("references resolve: regions, voltage levels and substations exist", "[demo]") {
  const DataSet& d = Seed42();
  std::set<std::string> regions, substations, levels;
  for (const auto& vl : SeededVoltageLevels()) levels.insert(vl.code);
  for (const auto& phase : d.reference) {
    for (const auto& r : phase.records) {
      if (r.kind() == v1::REFERENCE_KIND_REGION) regions.insert(r.code());
      if (r.kind() == v1::REFERENCE_KIND_SUBSTATION) {
        CHECK(regions.count(r.substation().region_code()) == 1);
        CHECK(levels.count(r.substation().voltage_level_code()) == 1);
        substations.insert(r.code());
      }
      if (r.kind() == v1::REFERENCE_KIND_POWER_LINE) {
        CHECK(substations.count(r.power_line().from_substation_code()) == 1);
        CHECK(substations.count(r.power_line().to_substation_code()) == 1);
        CHECK(r.power_line().from_substation_code() != r.power_line().to_substation_code());
      }
    }
  }
  for (const auto& p : d.participants) CHECK(regions.count(p.participant.region_code()) == 1);
  CHECK(regions.size() == 21);  // 20 in force + South Kazakhstan oblast
}

TEST_CASE("historic versions have a successor with the same code", "[demo]") {
  const DataSet& d = Seed42();
  std::map<std::pair<int, std::string>, std::vector<const v1::ReferenceRecord*>> by_code;
  for (const auto& phase : d.reference) {
    for (const auto& r : phase.records) by_code[{r.kind(), r.code()}].push_back(&r);
  }
  int historic = 0;
  for (const auto& [key, records] : by_code) {
    if (records.size() < 2) continue;
    ++historic;
    bool open = false;
    for (const auto* r : records) open |= !r->has_valid_to();
    CHECK(open);
  }
  CHECK(historic > 300);
}

TEST_CASE("declared volumes are monthly GWh-scale", "[demo]") {
  const DataSet& d = Seed42();
  std::map<std::pair<int, int>, int64_t> by_period;
  for (const auto& a : d.applications) {
    for (const auto& v : a.application.declared_volumes()) {
      CHECK(v.volume_wh() > 0);
      CHECK(v.volume_wh() < 3'000'000'000'000);  // < 3,000 GWh for one participant
      if (v.service_type() == v1::SERVICE_TYPE_BALANCING) {
        by_period[{a.application.period().year(), a.application.period().month()}] += v.volume_wh();
      }
    }
  }
  for (const auto& [period, wh] : by_period) {
    // Balancing covers production and consumption, so about twice the
    // national demand of ~8,600 GWh a month.
    CHECK(wh > 8'000'000'000'000);
    CHECK(wh < 30'000'000'000'000);
  }
}

}  // namespace
}  // namespace gridbill::demo
