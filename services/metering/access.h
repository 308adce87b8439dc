// Per-method access inside the service: the roles each RPC declares in its
// `(gridbill.common.v1.access)` option (read from the compiled-in
// descriptors, never restated here) and the participant field a scoped
// caller may only set to its own id. The gateway enforces the same policy;
// the service checks again so that a call reaching it any other way gets
// the same answer.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "gridbill/server/caller.h"

namespace gridbill::metering {

// `method` is "<Service>/<Method>" of package gridbill.metering.v1, e.g.
// "ReadingService/GetReadings"; `request` may be null (client streams).
// A caller without roles did not come through the gateway (tools, other
// services, tests) and is trusted, as in every service. Otherwise
// PERMISSION_DENIED names the method and the caller's roles when none of
// them is declared, or the participant field when it names another
// participant; INTERNAL when the method declares no policy.
absl::Status Authorize(const Caller& caller, std::string_view method,
                       const google::protobuf::Message* request);

}  // namespace gridbill::metering
