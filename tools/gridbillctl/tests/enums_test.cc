#include "tools/gridbillctl/enums.h"

#include <catch2/catch.hpp>

#include "gridbill/common/v1/common.pb.h"
#include "gridbill/contracts/v1/contracts.pb.h"

namespace gridbill::ctl {
namespace {

namespace v1 = ::gridbill::contracts::v1;

TEST_CASE("short forms parse case-insensitively", "[enums]") {
  CHECK(*ParseEnum<v1::ServiceType>("transmission") == v1::SERVICE_TYPE_TRANSMISSION);
  CHECK(*ParseEnum<v1::ServiceType>("Technical_Dispatching") ==
        v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  CHECK(*ParseEnum<v1::ServiceType>("BALANCING") == v1::SERVICE_TYPE_BALANCING);
  CHECK(*ParseEnum<v1::ServiceType>("grid-use") == v1::SERVICE_TYPE_GRID_USE);
  CHECK(*ParseEnum<v1::ParticipantRole>("generator") == v1::PARTICIPANT_ROLE_GENERATOR);
  CHECK(*ParseEnum<v1::ParticipantStatus>("active") == v1::PARTICIPANT_STATUS_ACTIVE);
  CHECK(*ParseEnum<v1::ContractState>("draft") == v1::CONTRACT_STATE_DRAFT);
  CHECK(*ParseEnum<v1::ApplicationState>("in_review") == v1::APPLICATION_STATE_IN_REVIEW);
  CHECK(*ParseEnum<v1::ReferenceKind>("power_line") == v1::REFERENCE_KIND_POWER_LINE);
}

TEST_CASE("full names and aliases parse", "[enums]") {
  CHECK(*ParseEnum<v1::ServiceType>("SERVICE_TYPE_GRID_USE") == v1::SERVICE_TYPE_GRID_USE);
  CHECK(*ParseEnum<v1::ServiceType>("dispatching") == v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  CHECK(*ParseEnum<v1::ParticipantRole>("supplier") == v1::PARTICIPANT_ROLE_ENERGY_SUPPLIER);
  CHECK(*ParseEnum<common::v1::Role>("operator") == common::v1::ROLE_OPERATOR);
}

TEST_CASE("unknown values and UNSPECIFIED are refused with the accepted list", "[enums]") {
  auto bad = ParseEnum<v1::ServiceType>("transmision");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()) ==
        "unknown service type \"transmision\" (expected transmission, technical_dispatching, "
        "balancing, grid_use)");
  CHECK_FALSE(ParseEnum<v1::ServiceType>("unspecified").ok());
  CHECK_FALSE(ParseEnum<v1::ServiceType>("SERVICE_TYPE_UNSPECIFIED").ok());
  CHECK_FALSE(ParseEnum<v1::ServiceType>("").ok());
  // An alias of another enum does not leak.
  CHECK_FALSE(ParseEnum<v1::ContractState>("dispatching").ok());
}

TEST_CASE("short names print without the prefix", "[enums]") {
  CHECK(ShortName(v1::SERVICE_TYPE_TECHNICAL_DISPATCHING) == "technical_dispatching");
  CHECK(ShortName(v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY) == "distribution_company");
  CHECK(ShortName(static_cast<v1::ServiceType>(99)) == "99");
}

TEST_CASE("roles normalize to the header's ROLE_* names", "[enums]") {
  CHECK(*NormalizeRoles("operator, ROLE_AUDITOR") == "ROLE_OPERATOR,ROLE_AUDITOR");
  CHECK(*NormalizeRoles("") == "");
  CHECK_FALSE(NormalizeRoles("operator,boss").ok());
}

}  // namespace
}  // namespace gridbill::ctl
