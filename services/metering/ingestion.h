// Ingestion of interval readings: a batch is checked structurally (known
// point and channel, interval aligned and inside the point's validity, one
// value per key), grouped into point-days of the operator's zone, merged with
// the latest stored revision of each day, validated (VEE) and stored as new
// revisions of the days that changed, all or nothing. Re-sending identical
// readings writes nothing.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clock.h"
#include "model.h"
#include "store.h"
#include "vee.h"

namespace gridbill::metering {

struct Batch {
  int32_t index = 0;  // in the stream, for rejections
  Source source = Source::kUnspecified;
  std::vector<Reading> readings;
  // Set by edits: recorded with the revision.
  std::string reason;
};

class Ingestion {
 public:
  Ingestion(Store& store, const Clock& clock, absl::TimeZone zone, VeeConfig vee)
      : store_(store), clock_(clock), zone_(zone), vee_(vee) {}

  // A structurally invalid batch is not an error: its summary counts every
  // reading rejected and names each reason, and nothing is written. Errors
  // are storage failures only.
  absl::StatusOr<IngestSummary> Ingest(const Batch& batch, const Requester& who);

  // The structural checks of Ingest alone: the summary names every rejected
  // reading (rejected = all readings when any is); nothing is written. A
  // MISSING reading never replaces a stored value (counted unchanged).
  absl::StatusOr<IngestSummary> Check(const Batch& batch);

 private:
  struct Prepared;
  absl::Status Prepare(const Batch& batch, Prepared& prepared);

  Store& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  VeeConfig vee_;
};

}  // namespace gridbill::metering
