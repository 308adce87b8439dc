#include "tools/gridbillctl/enums.h"

#include <cctype>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill::ctl {
namespace {

// The prefix every value of the type shares: the zero value's name without
// "UNSPECIFIED" ("SERVICE_TYPE_").
std::string PrefixOf(const google::protobuf::EnumDescriptor& type) {
  const google::protobuf::EnumValueDescriptor* zero = type.FindValueByNumber(0);
  if (zero == nullptr) return "";
  std::string name = zero->name();
  const std::string suffix = "UNSPECIFIED";
  if (name.size() >= suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return name.substr(0, name.size() - suffix.size());
  }
  return "";
}

std::string Normalize(std::string_view text) {
  std::string out = absl::AsciiStrToUpper(
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
  for (char& c : out) {
    if (c == '-' || c == ' ') c = '_';
  }
  return out;
}

// Extra short forms operators use.
const std::map<std::string, std::string>& Aliases() {
  static const auto* const k = new std::map<std::string, std::string>{
      {"DISPATCHING", "SERVICE_TYPE_TECHNICAL_DISPATCHING"},
      {"DISTRIBUTION", "PARTICIPANT_ROLE_DISTRIBUTION_COMPANY"},
      {"SUPPLIER", "PARTICIPANT_ROLE_ENERGY_SUPPLIER"},
  };
  return *k;
}

}  // namespace

std::string EnumShortName(const google::protobuf::EnumDescriptor& type, int value) {
  const google::protobuf::EnumValueDescriptor* v = type.FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  std::string name = v->name();
  const std::string prefix = PrefixOf(type);
  if (!prefix.empty() && name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

std::string EnumWords(const google::protobuf::EnumDescriptor& type) {
  std::string out;
  for (char c : type.name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out.push_back(' ');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   std::string_view text) {
  const std::string wanted = Normalize(text);
  const std::string prefix = PrefixOf(type);
  std::vector<std::string> accepted;
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* v = type.value(i);
    if (v->number() == 0) continue;
    accepted.push_back(EnumShortName(type, v->number()));
    if (wanted == v->name() || (!wanted.empty() && prefix + wanted == v->name())) {
      return v->number();
    }
  }
  auto alias = Aliases().find(wanted);
  if (alias != Aliases().end()) {
    const google::protobuf::EnumValueDescriptor* v = type.FindValueByName(alias->second);
    if (v != nullptr) return v->number();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ", EnumWords(type), " \"",
                                                 std::string(text), "\" (expected ",
                                                 absl::StrJoin(accepted, ", "), ")"));
}

absl::StatusOr<std::string> NormalizeRoles(std::string_view text) {
  std::vector<std::string> names;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipWhitespace())) {
    absl::StatusOr<common::v1::Role> role =
        ParseEnum<common::v1::Role>(std::string_view(part.data(), part.size()));
    if (!role.ok()) return role.status();
    names.push_back(common::v1::Role_Name(*role));
  }
  return absl::StrJoin(names, ",");
}

}  // namespace gridbill::ctl
