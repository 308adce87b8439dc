// Typed dictionaries of reference data (regions, voltage levels, substations,
// ...) with validity periods and a change history.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "store.h"

namespace gridbill::contracts {

// Update-mask paths UpdateReferenceRecord accepts; kind and code are immutable.
inline constexpr std::string_view kReferenceUpdatable[] = {"name", "name_kk", "valid_from",
                                                           "valid_to", "details"};

class ReferenceData {
 public:
  ReferenceData(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  absl::StatusOr<ReferenceRecord> Create(const ReferenceRecord& input, const Caller& who);
  absl::StatusOr<ReferenceRecord> Get(const std::string& id);
  absl::StatusOr<ListPage<ReferenceRecord>> List(const ReferenceFilter& filter,
                                                 const PageRequest& page);
  absl::StatusOr<ReferenceRecord> Update(const ReferenceRecord& input, const Mask& mask,
                                         int64_t expected_version, const std::string& reason,
                                         const Caller& who);
  absl::StatusOr<paging::PageOf<ChangeEntry>> History(const std::string& id,
                                                      const paging::Page& page, const Caller& who);

 private:
  // Every rule on a whole record; `self_id` is excluded from the code check.
  absl::Status Validate(const ReferenceRecord& record, const std::string& self_id);
  // INVALID_ARGUMENT on `field` unless a `kind` record with `code` is valid on `day`.
  absl::Status CheckExists(ReferenceKind kind, const std::string& code, absl::CivilDay day,
                           const std::string& field);

  Store& store_;
  const Clock& clock_;
};

// The record as (field, text) pairs for history diffs.
FieldTexts FieldsOf(const ReferenceRecord& record);

}  // namespace gridbill::contracts
