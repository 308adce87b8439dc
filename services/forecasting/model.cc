#include "model.h"

namespace gridbill::forecasting {

namespace {
constexpr const char* kServiceNames[] = {"", "transmission", "dispatching", "balancing",
                                         "grid-use"};
}  // namespace

const char* ServiceName(int service_type) {
  return service_type >= 1 && service_type <= kServiceTypes ? kServiceNames[service_type] : "";
}

int ServiceFromName(std::string_view name) {
  for (int s = 1; s <= kServiceTypes; ++s) {
    if (name == kServiceNames[s]) return s;
  }
  return 0;
}

}  // namespace gridbill::forecasting
