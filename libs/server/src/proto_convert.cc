#include "gridbill/server/proto_convert.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill {
std::string Fingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const google::protobuf::FieldDescriptor* field =
      copy->GetDescriptor()->FindFieldByName("request_id");
  if (field != nullptr) copy->GetReflection()->ClearField(copy.get(), field);

  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    // Map entries are otherwise written in hash order.
    out.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&out);
  }
  return Sha256Hex(bytes);
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds towards the past
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

common::v1::Date ToProtoDate(absl::CivilDay d) {
  common::v1::Date date;
  date.set_year(static_cast<int32_t>(d.year()));
  date.set_month(d.month());
  date.set_day(d.day());
  return date;
}

bool IsSet(const common::v1::Date& d) { return d.year() != 0 || d.month() != 0 || d.day() != 0; }

absl::StatusOr<absl::CivilDay> FromProtoDate(const common::v1::Date& d, std::string_view field) {
  if (!IsSet(d)) return InvalidField(field, "required");
  return MakeDate(d.year(), d.month(), d.day(), field);
}

absl::StatusOr<std::optional<absl::CivilDay>> FromOptionalProtoDate(const common::v1::Date& d,
                                                                    std::string_view field) {
  if (!IsSet(d)) return std::optional<absl::CivilDay>();
  ASSIGN_OR_RETURN(absl::CivilDay day, FromProtoDate(d, field));
  return std::optional<absl::CivilDay>(day);
}

common::v1::BillingPeriod ToProtoPeriod(const BillingPeriod& p) {
  common::v1::BillingPeriod period;
  period.set_year(static_cast<int32_t>(p.year()));
  period.set_month(p.month());
  return period;
}

absl::StatusOr<BillingPeriod> FromProtoPeriod(const common::v1::BillingPeriod& p,
                                              std::string_view field) {
  if (p.year() == 0 && p.month() == 0) return InvalidField(field, "required");
  return BillingPeriod::Make(p.year(), p.month(), field);
}

absl::Status CheckMask(const google::protobuf::FieldMask& mask,
                       std::initializer_list<std::string_view> allowed) {
  if (mask.paths_size() == 0) return InvalidField("update_mask", "empty");
  for (const std::string& path : mask.paths()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || path == a;
    if (!ok) {
      return InvalidField("update_mask", absl::StrCat("unknown or immutable field '", path, "'"));
    }
  }
  return absl::OkStatus();
}

bool MaskHas(const google::protobuf::FieldMask& mask, std::string_view path) {
  for (const std::string& p : mask.paths()) {
    // "address" covers "address.city".
    if (p == path ||
        (path.size() > p.size() && path.substr(0, p.size()) == p && path[p.size()] == '.')) {
      return true;
    }
  }
  return false;
}

}  // namespace gridbill
