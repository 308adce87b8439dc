#include "gridbill/domain/decimal.h"

#include "fixed_point.h"
#include "gridbill/base/status_macros.h"

namespace gridbill {

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text, std::string_view field) {
  ASSIGN_OR_RETURN(int64_t units, internal::ParseFixed(text, field, kScale));
  return Decimal(units);
}

std::string Decimal::ToString(int min_fraction) const {
  return internal::FormatFixed(units_, kScale, min_fraction);
}

}  // namespace gridbill
