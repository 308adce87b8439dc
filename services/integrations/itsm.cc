#include "itsm.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "esf.h"
#include "gridbill/base/json.h"

namespace gridbill::integrations {
namespace {

SendResult Failure(const httplib::Result& r, absl::string_view what) {
  if (!r) return SendResult::Retry(absl::StrCat(what, ": ", httplib::to_string(r.error())));
  const std::string text = absl::StrCat(what, ": HTTP ", r->status);
  if (r->status >= 500 || r->status == 429) return SendResult::Retry(text);
  return SendResult::Permanent(absl::StrCat(text, " ", r->body.substr(0, 200)));
}

}  // namespace

Fact IncidentOpen(const std::string& correlation_id, const std::string& version,
                  const std::string& short_description, const std::string& description) {
  std::string payload = absl::StrCat(short_description, "\t", description);
  for (char& c : payload) {
    if (c == '\n') c = ' ';
  }
  return Fact{"itsm", kIncidentOpen, correlation_id, version, payload};
}

Fact IncidentResolve(const std::string& correlation_id, const std::string& version,
                     const std::string& note) {
  return Fact{"itsm", kIncidentResolve, correlation_id, version, absl::StrCat("resolved\t", note)};
}

SendResult ItsmReceiver::Send(const Delivery& d) {
  httplib::Client client(config_.base_url);
  const int64_t ms = absl::ToInt64Milliseconds(config_.timeout);
  client.set_connection_timeout(ms / 1000, (ms % 1000) * 1000);
  client.set_read_timeout(ms / 1000, (ms % 1000) * 1000);
  client.set_basic_auth(config_.user, config_.password);
  const httplib::Headers headers = {{"Accept", "application/json"},
                                    {"X-Idempotency-Key", d.idempotency_key}};
  std::vector<std::string> parts = absl::StrSplit(d.payload, absl::MaxSplits('\t', 1));
  parts.resize(2);
  // The open incident of this problem, if any.
  httplib::Params query = {
      {"sysparm_query", absl::StrCat("correlation_id=", d.fact_id, "^active=true")},
      {"sysparm_fields", "sys_id,number,state"}};
  httplib::Result found =
      client.Get("/api/now/table/incident", query, headers, httplib::Progress());
  if (!found || found->status != 200) return Failure(found, "ITSM query");
  const std::string sys_id = JsonField(found->body, "sys_id");
  const std::string number = JsonField(found->body, "number");
  if (d.fact_kind == kIncidentResolve) {
    if (sys_id.empty()) return SendResult::Delivered("no open incident");
    const std::string body = json::ObjectWriter()
                                 .Add("state", "6")
                                 .Add("close_code", "Solved (Permanently)")
                                 .Add("close_notes", parts[1])
                                 .Finish();
    httplib::Result r = client.Patch(absl::StrCat("/api/now/table/incident/", sys_id), headers,
                                     body, "application/json");
    if (!r || r->status != 200) return Failure(r, "ITSM resolve");
    return SendResult::Delivered(absl::StrCat(number, " resolved"));
  }
  if (!sys_id.empty()) {
    const std::string body = json::ObjectWriter().Add("work_notes", parts[1]).Finish();
    httplib::Result r = client.Patch(absl::StrCat("/api/now/table/incident/", sys_id), headers,
                                     body, "application/json");
    if (!r || r->status != 200) return Failure(r, "ITSM update");
    return SendResult::Delivered(absl::StrCat(number, " updated"));
  }
  const std::string body = json::ObjectWriter()
                               .Add("short_description", parts[0])
                               .Add("description", parts[1])
                               .Add("correlation_id", d.fact_id)
                               .Add("category", "software")
                               .Add("urgency", "2")
                               .Add("caller_id", "gridbill-integrations")
                               .Finish();
  httplib::Result r = client.Post("/api/now/table/incident", headers, body, "application/json");
  if (!r || (r->status != 201 && r->status != 200)) return Failure(r, "ITSM create");
  return SendResult::Delivered(JsonField(r->body, "number"));
}

}  // namespace gridbill::integrations
