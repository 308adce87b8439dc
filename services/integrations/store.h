// What the integrations domain needs from storage (pg_store.h implements it):
// the outbox (outbox.h) and the inbound adapters' memory of what they took in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "outbox.h"

namespace gridbill::integrations {

// An inbound file already handled, by content.
struct InboundFile {
  bool imported = false;  // false: rejected
  std::string reason;
};

class Store : public OutboxStore {
 public:
  // The file with this content handled by `adapter` before, if any.
  virtual absl::StatusOr<std::optional<InboundFile>> FindInboundFile(absl::string_view adapter,
                                                                     absl::string_view sha256) = 0;
  // Records a handled file (the first record of a content stays) and counts it.
  virtual absl::Status RecordInboundFile(absl::string_view adapter, absl::string_view sha256,
                                         absl::string_view file_name, const InboundFile& file,
                                         absl::Time now) = 0;
  // The last sequence number of a telemetry stream stored in the suite (0: none).
  virtual absl::StatusOr<int64_t> StreamPosition(absl::string_view source) = 0;
  virtual absl::Status SetStreamPosition(absl::string_view source, int64_t seq, absl::Time now) = 0;
};

}  // namespace gridbill::integrations
