#include "gridbill/server/changes.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "gridbill/base/errors.h"
#include "gridbill/server/paging.h"

namespace gridbill::paging {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr char kField[] = "changes_after";
constexpr char kCursorField[] = "changes_after.cursor";
// Digits of a position column: an xid8 or a bigint, both at most 20 digits.
constexpr size_t kMaxDigits = 20;

const FieldDescriptor* ChangesField(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(kField);
  return f != nullptr && !f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
             ? f
             : nullptr;
}

std::string Cursor(const Message& request) {
  const FieldDescriptor* f = ChangesField(request);
  if (f == nullptr || !request.GetReflection()->HasField(request, f)) return "";
  const Message& changes = request.GetReflection()->GetMessage(request, f);
  const FieldDescriptor* cursor = changes.GetDescriptor()->FindFieldByName("cursor");
  if (cursor == nullptr || cursor->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return "";
  return changes.GetReflection()->GetString(changes, cursor);
}

// The filters of a feed: the request without changes_after (the cursor moves
// between calls, the filters may not), marked so that no page token fits.
std::string FeedFilters(const Message& request) {
  std::unique_ptr<Message> copy(request.New());
  copy->CopyFrom(request);
  if (const FieldDescriptor* f = ChangesField(*copy)) {
    copy->GetReflection()->ClearField(copy.get(), f);
  }
  std::string filters = Filters(*copy);
  filters.append("\0changes_after", 14);
  return filters;
}

bool IsPositionColumn(const std::string& s) {
  return !s.empty() && s.size() <= kMaxDigits &&
         std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

absl::Status Malformed() {
  return InvalidField(kCursorField,
                      "not a change_cursor of this list with these filters; pass the "
                      "change_cursor of an earlier response, or an empty cursor to start over");
}

}  // namespace

bool WantsChanges(const Message& request) {
  const FieldDescriptor* f = ChangesField(request);
  return f != nullptr && request.GetReflection()->HasField(request, f);
}

absl::StatusOr<Page> ChangesFromRequest(const Message& request, Limits limits) {
  int32_t size = 0;
  if (const FieldDescriptor* f = request.GetDescriptor()->FindFieldByName("page_size");
      f != nullptr && f->cpp_type() == FieldDescriptor::CPPTYPE_INT32 && !f->is_repeated()) {
    size = request.GetReflection()->GetInt32(request, f);
  }
  Page page;
  absl::StatusOr<int> checked = PageSize(size, limits);
  if (!checked.ok()) return checked.status();
  page.size = *checked;
  absl::StatusOr<PageKey> key = DecodeToken(Cursor(request), FeedFilters(request));
  if (!key.ok()) return Malformed();
  if (!key->empty() &&
      (key->size() != 2 || !IsPositionColumn((*key)[0]) || !IsPositionColumn((*key)[1]))) {
    return Malformed();
  }
  page.after = *std::move(key);
  return page;
}

std::string ChangeCursor(const Message& request, const PageKey& last) {
  if (last.empty()) return Cursor(request);
  return EncodeToken(FeedFilters(request), last);
}

}  // namespace gridbill::paging
