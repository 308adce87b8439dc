// Accounting schemes: validation of a version before it is stored, and the
// versions' lifecycle (define, close). Overlaps are refused by the store.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "sources.h"
#include "store.h"

namespace gridbill::balance {

class Schemes {
 public:
  // `points`: metering's points, which every term must name.
  Schemes(Store& store, PointDirectory& points, const Clock& clock)
      : store_(store), points_(points), clock_(clock) {}

  // Validates and stores a new version; errors name the field ("scheme.terms[2].role",
  // "scheme.terms[3].point_code: no metering point \"X\"").
  absl::StatusOr<Scheme> Define(Scheme scheme, const std::string& actor);
  absl::StatusOr<Scheme> Close(int64_t id, absl::CivilDay valid_to, const std::string& reason);
  absl::StatusOr<Scheme> Get(int64_t id) { return store_.GetScheme(id); }
  absl::StatusOr<paging::PageOf<Scheme>> List(const SchemeFilter& filter,
                                              const paging::Page& page) {
    return store_.ListSchemes(filter, page);
  }

  // Checks a version without storing it.
  static absl::Status Validate(const Scheme& scheme);

 private:
  Store& store_;
  PointDirectory& points_;
  const Clock& clock_;
};

}  // namespace gridbill::balance
