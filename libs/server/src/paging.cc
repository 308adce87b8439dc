#include "gridbill/server/paging.h"

#include <memory>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::paging {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const FieldDescriptor* Field(const Message& m, const char* name, FieldDescriptor::CppType type) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(name);
  return f != nullptr && !f->is_repeated() && f->cpp_type() == type ? f : nullptr;
}

}  // namespace

std::string Filters(const Message& request) {
  std::unique_ptr<Message> copy(request.New());
  copy->CopyFrom(request);
  for (const char* name : {"page_size", "page_token"}) {
    const FieldDescriptor* f = copy->GetDescriptor()->FindFieldByName(name);
    if (f != nullptr) copy->GetReflection()->ClearField(copy.get(), f);
  }
  std::string bytes = copy->GetDescriptor()->full_name();
  bytes.push_back('\0');
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);  // map entries in key order
    copy->SerializeToCodedStream(&out);
  }
  return bytes;
}

absl::StatusOr<Page> FromRequest(const Message& request, Limits limits) {
  int32_t size = 0;
  std::string token;
  if (const auto* f = Field(request, "page_size", FieldDescriptor::CPPTYPE_INT32)) {
    size = request.GetReflection()->GetInt32(request, f);
  }
  if (const auto* f = Field(request, "page_token", FieldDescriptor::CPPTYPE_STRING)) {
    token = request.GetReflection()->GetString(request, f);
  }
  return ReadPage(size, token, Filters(request), limits);
}

std::string NextToken(const Message& request, const PageKey& next) {
  if (next.empty()) return "";
  return EncodeToken(Filters(request), next);
}

}  // namespace gridbill::paging
