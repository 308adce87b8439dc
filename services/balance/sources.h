// What the balance domain reads from other services: whole point-days and
// which points exist from metering, approved declared volumes from contracts. gRPC clients
// implement them (grpc_sources.h); tests may replace the contracts one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine.h"
#include "gridbill/domain/civil.h"
#include "model.h"

namespace gridbill::balance {

class ReadingSource {
 public:
  virtual ~ReadingSource() = default;
  // Streams the stored days of `codes` × `channels` over [from, to] as stored
  // at `as_of`, chunk by chunk; an error from `sink` stops the stream.
  virtual absl::Status StreamDays(
      const std::vector<std::string>& codes, const std::vector<int>& channels, absl::CivilDay from,
      absl::CivilDay to, absl::Time as_of,
      const std::function<absl::Status(std::vector<PointDayIn>&)>& sink) = 0;
};

// What a scheme needs to know of a metering point.
struct PointInfo {
  std::string code;
  std::vector<int> channels;  // the proto Channel numbers it measures
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
};

class PointDirectory {
 public:
  virtual ~PointDirectory() = default;
  // The points among `codes` that metering knows (each once; a code metering
  // has no point for is absent); UNAVAILABLE when metering cannot be asked.
  virtual absl::StatusOr<std::vector<PointInfo>> Find(const std::vector<std::string>& codes) = 0;
};

class DeclarationSource {
 public:
  virtual ~DeclarationSource() = default;
  // The declared monthly volumes of approved applications about `period`.
  virtual absl::StatusOr<std::vector<DeclaredVolume>> Approved(const BillingPeriod& period) = 0;
};

// For a deployment without a contracts service (contracts_address empty):
// no declared volumes, so no imbalances.
class NoDeclarations final : public DeclarationSource {
 public:
  absl::StatusOr<std::vector<DeclaredVolume>> Approved(const BillingPeriod&) override {
    return std::vector<DeclaredVolume>{};
  }
};

}  // namespace gridbill::balance
