// Paging of the contracts lists through the gRPC edge: every row exactly
// once and in order across pages, tokens bound to the filters.
#include <string>
#include <vector>

#include "harness.h"

namespace gridbill::contracts::testing {
namespace {

using AS = v1::ApplicationService::Stub;
using CS = v1::ContractService::Stub;
using PS = v1::ParticipantService::Stub;

// Calls `method` page after page (page_size `size`) until next_page_token is
// empty, returning the items of every page and counting the pages.
template <typename Stub, typename Req, typename Resp, typename ItemsFn>
auto AllPages(Harness& h, Stub& stub,
              grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Req req,
              int size, ItemsFn items, int* pages) {
  req.set_page_size(size);
  std::vector<std::decay_t<decltype(*items(Resp()).begin())>> out;
  *pages = 0;
  while (true) {
    Resp resp;
    REQUIRE_OK(h.Call(stub, method, req, &resp));
    ++*pages;
    REQUIRE(items(resp).size() <= size);
    for (const auto& item : items(resp)) out.push_back(item);
    if (resp.next_page_token().empty()) break;
    REQUIRE(*pages < 100);
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

TEST_CASE("participant history pages by version: every entry once, oldest first") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  for (int i = 0; i < 3; ++i) {
    h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_SUSPENDED);
    h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_ACTIVE);
  }
  v1::ListParticipantHistoryRequest req;
  req.set_id(p.id());
  int pages = 0;
  auto entries = AllPages(
      h, *h.participant_stub, &PS::ListParticipantHistory, req, 3,
      [](const v1::ListParticipantHistoryResponse& r) { return r.entries(); }, &pages);
  REQUIRE(entries.size() == 7);
  CHECK(pages == 3);  // 3 + 3 + 1, and no empty page after the last
  for (size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].version() == int64_t(i) + 1);

  // Exactly one page: no token.
  v1::ListParticipantHistoryResponse one;
  req.set_page_size(7);
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &one));
  CHECK(one.entries_size() == 7);
  CHECK(one.next_page_token().empty());

  // The default page holds all seven.
  req.set_page_size(0);
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &one));
  CHECK(one.entries_size() == 7);

  req.set_page_size(-1);
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &one),
               grpc::StatusCode::INVALID_ARGUMENT, "page_size");
}

TEST_CASE("a history token is refused for another resource, an edited one as malformed") {
  Harness h;
  v1::Participant a = h.CreateParticipant(1);
  v1::Participant b = h.CreateParticipant(2);
  for (const auto& p : {a, b}) {
    h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_SUSPENDED);
    h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_ACTIVE);
  }
  v1::ListParticipantHistoryRequest req;
  req.set_id(a.id());
  req.set_page_size(1);
  v1::ListParticipantHistoryResponse first;
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &first));
  REQUIRE(!first.next_page_token().empty());

  v1::ListParticipantHistoryResponse resp;
  req.set_id(b.id());
  req.set_page_token(first.next_page_token());
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token: issued for other filters");

  req.set_id(a.id());
  std::string edited = first.next_page_token();
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'A' ? 'B' : 'A';
  req.set_page_token(edited);
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token: malformed");

  // The same token with another page size is fine: only the filters are bound.
  req.set_page_token(first.next_page_token());
  req.set_page_size(10);
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipantHistory, req, &resp));
  REQUIRE(resp.entries_size() == 2);
  CHECK(resp.entries(0).version() == 2);
  CHECK(resp.next_page_token().empty());
}

TEST_CASE("contract history and application comments page through every row once, in order") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Contract c = h.CreateContract(p.id(), "TR-1");
  c = h.MoveContract(c.id(), v1::CONTRACT_STATE_SUSPENDED);  // draft -> active -> suspended
  v1::ListContractHistoryRequest hreq;
  hreq.set_id(c.id());
  int pages = 0;
  auto entries = AllPages(
      h, *h.contract_stub, &CS::ListContractHistory, hreq, 2,
      [](const v1::ListContractHistoryResponse& r) { return r.entries(); }, &pages);
  REQUIRE(entries.size() == static_cast<size_t>(c.version()));
  for (size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].version() == int64_t(i) + 1);

  // Comments at the same instant (the clock does not move) still page by
  // their sequence.
  v1::Application app = h.CreateApplication(p.id());
  std::vector<std::string> ids;
  for (int i = 0; i < 11; ++i) {
    v1::AddApplicationCommentRequest add;
    add.set_request_id(NewRequestId());
    add.set_application_id(app.id());
    add.set_text(absl::StrCat("comment ", i));
    v1::AddApplicationCommentResponse added;
    REQUIRE_OK(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &added));
    ids.push_back(added.comment().id());
    if (i % 4 == 3) h.clock.Advance(absl::Minutes(1));
  }
  v1::ListApplicationCommentsRequest creq;
  creq.set_application_id(app.id());
  auto comments = AllPages(
      h, *h.application_stub, &AS::ListApplicationComments, creq, 3,
      [](const v1::ListApplicationCommentsResponse& r) { return r.comments(); }, &pages);
  CHECK(pages == 4);
  std::vector<std::string> listed;
  for (const auto& cm : comments) listed.push_back(cm.id());
  CHECK(listed == ids);
}

TEST_CASE("the offset lists speak the same token: bound to the filters") {
  Harness h;
  std::vector<std::string> ids;
  for (int i = 1; i <= 5; ++i) ids.push_back(h.CreateParticipant(i).id());
  v1::ListParticipantsRequest req;
  int pages = 0;
  auto listed = AllPages(
      h, *h.participant_stub, &PS::ListParticipants, req, 2,
      [](const v1::ListParticipantsResponse& r) { return r.participants(); }, &pages);
  CHECK(listed.size() == 5);
  CHECK(pages == 3);

  req.set_page_size(2);
  v1::ListParticipantsResponse first, resp;
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipants, req, &first));
  CHECK(first.total_size() == 5);
  req.set_page_token(first.next_page_token());
  req.set_region_code("KZ-75");
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipants, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");
}

}  // namespace
}  // namespace gridbill::contracts::testing
