#include "gridbill/server/idempotent_call.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/sha256.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill {

std::string CallerFingerprint(const google::protobuf::Message& request, const Caller& caller) {
  return Sha256Hex(
      absl::StrCat(Fingerprint(request), "\x1f", caller.principal, "\x1f", caller.participant_id));
}

}  // namespace gridbill
