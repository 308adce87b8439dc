#include "percent.h"

#include "gridbill/base/status_macros.h"
#include "gridbill/domain/decimal.h"

namespace gridbill::balance {

std::string PercentOf(int64_t part, int64_t whole) {
  if (whole == 0) return "0";
  using i128 = __int128;
  i128 num = static_cast<i128>(part) * 100 * 10000;
  i128 den = whole;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const bool neg = num < 0;
  if (neg) num = -num;
  i128 q = (num * 2 + den) / (den * 2);  // half up on the magnitude
  if (neg) q = -q;
  return Decimal::FromUnits(static_cast<int64_t>(q) * 100).ToString(4);
}

absl::StatusOr<bool> AbovePercent(int64_t part, int64_t whole, std::string_view percent) {
  if (percent.empty()) return false;
  ASSIGN_OR_RETURN(Decimal limit, Decimal::Parse(percent, "normative_loss_percent"));
  // part / whole × 100 > limit  <=>  part × 100 × 10^6 > limit.units × whole (whole > 0).
  if (whole <= 0) return part > 0;
  return static_cast<__int128>(part) * 100 * Decimal::kOne >
         static_cast<__int128>(limit.units()) * whole;
}

absl::StatusOr<bool> ClosureHolds(const Closure& c, std::string_view tolerance_percent) {
  ASSIGN_OR_RETURN(Decimal tol, Decimal::Parse(tolerance_percent, "closure_tolerance_percent"));
  __int128 residual = c.residual();
  if (residual < 0) residual = -residual;
  const __int128 supply = c.supply_wh < 0 ? -c.supply_wh : c.supply_wh;
  return residual * 100 * Decimal::kOne <= static_cast<__int128>(tol.units()) * supply;
}

}  // namespace gridbill::balance
