// proto <-> domain conversion for the contracts service's edge. Parsing
// errors are INVALID_ARGUMENT naming the proto field path ("tariff.price_per_kwh").
// With a mask, only the fields it names are read (an update's other fields
// may be unset); without one, every field is read (a create).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "gridbill/contracts/v1/contracts.pb.h"
#include "model.h"

namespace gridbill::contracts {

// The update mask's paths after checking them against `allowed`.
// INVALID_ARGUMENT "update_mask: empty" / "update_mask: unknown or immutable
// field 'x'" (the wording of gridbill::CheckMask).
absl::StatusOr<Mask> MaskFrom(const google::protobuf::FieldMask& mask,
                              std::span<const std::string_view> allowed);

// Enums: unknown numbers are INVALID_ARGUMENT on `field`.
absl::StatusOr<ServiceType> FromProto(v1::ServiceType v, const std::string& field);
absl::StatusOr<ReferenceKind> FromProto(v1::ReferenceKind v, const std::string& field);
absl::StatusOr<ParticipantRole> FromProto(v1::ParticipantRole v, const std::string& field);
absl::StatusOr<ParticipantStatus> FromProto(v1::ParticipantStatus v, const std::string& field);
absl::StatusOr<ContractState> FromProto(v1::ContractState v, const std::string& field);
absl::StatusOr<ApplicationType> FromProto(v1::ApplicationType v, const std::string& field);
absl::StatusOr<ApplicationState> FromProto(v1::ApplicationState v, const std::string& field);

absl::StatusOr<ReferenceRecord> FromProto(const v1::ReferenceRecord& p, const Mask* mask);
absl::StatusOr<Participant> FromProto(const v1::Participant& p, const Mask* mask);
absl::StatusOr<Contract> FromProto(const v1::Contract& p, const Mask* mask);
absl::StatusOr<Tariff> FromProto(const v1::Tariff& p, const Mask* mask);
absl::StatusOr<Application> FromProto(const v1::Application& p, const Mask* mask);

void ToProto(const ReferenceRecord& r, v1::ReferenceRecord* out);
void ToProto(const Participant& p, v1::Participant* out);
void ToProto(const Contract& c, v1::Contract* out);
void ToProto(const Tariff& t, v1::Tariff* out);
void ToProto(const TariffSlice& s, v1::TariffSlice* out);
void ToProto(const Application& a, v1::Application* out);
void ToProto(const ApplicationComment& c, v1::ApplicationComment* out);
void ToProto(const ChangeEntry& e, common::v1::ChangeEntry* out);

}  // namespace gridbill::contracts
