// A stand-in for an ITSM system with ServiceNow's Table API shape, for `up`
// and the tests: `GET /api/now/table/incident?sysparm_query=correlation_id=X^active=true`,
// `POST /api/now/table/incident`, `PATCH /api/now/table/incident/<sys_id>`
// (state 6 = resolved), basic authentication. It records every incident and
// counts what the tests check (GET /stats): incidents, active, resolved,
// and `duplicate_active`: a second active incident for one correlation_id
// (one problem, one incident), which must stay 0. A change (POST, PATCH)
// repeated with the X-Idempotency-Key, method and path it has acted on is
// answered as before and not done again (counted in `replays`).
//
// Faults for the tests, the modes of standin.h: --fail-every N over every
// request; --slow-every N and --twice-every N over the changes (a change
// received twice is acted on twice unless its key was answered).
//
//   itsm_standin --port 7209
#include <httplib.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "standin.h"

namespace {

using gridbill::standin::Arg;
using gridbill::standin::Quote;

struct Incident {
  std::string sys_id, number, correlation_id, short_description, description, state = "1";
  std::vector<std::string> work_notes;
  std::string close_notes;
};

// The string value of "key" in a flat JSON object ("" when absent).
std::string Field(const std::string& json, const std::string& key) {
  const std::string mark = "\"" + key + "\"";
  size_t p = json.find(mark);
  if (p == std::string::npos) return "";
  p = json.find('"', json.find(':', p + mark.size()) + 1);
  if (p == std::string::npos) return "";
  std::string out;
  for (size_t i = p + 1; i < json.size() && json[i] != '"'; ++i) {
    if (json[i] == '\\' && i + 1 < json.size()) ++i;
    out.push_back(json[i]);
  }
  return out;
}

std::string Json(const Incident& i) {
  return "{\"sys_id\":" + Quote(i.sys_id) + ",\"number\":" + Quote(i.number) +
         ",\"correlation_id\":" + Quote(i.correlation_id) + ",\"state\":" + Quote(i.state) +
         ",\"short_description\":" + Quote(i.short_description) + ",\"work_notes_count\":\"" +
         std::to_string(i.work_notes.size()) + "\"}";
}

}  // namespace

int main(int argc, char** argv) {
  const int port = std::stoi(Arg(argc, argv, "port", "7209"));
  const std::string host = Arg(argc, argv, "host", "127.0.0.1");
  gridbill::standin::Faults faults(argc, argv);
  std::mutex mu;
  std::vector<Incident> incidents;
  // Method, path and X-Idempotency-Key of a change -> its answer (status, body).
  std::map<std::string, std::pair<int, std::string>> answered;
  int replays = 0;
  // One change (POST, PATCH): `act` does it under the lock and answers; a
  // repeat of an answered key is answered again; received twice or answered
  // late as the fault modes say.
  auto change = [&](const httplib::Request& req, httplib::Response& res,
                    const std::function<void()>& act) {
    gridbill::standin::Faults::Change c = faults.NextChange();
    {
      std::lock_guard<std::mutex> l(mu);
      const std::string key = req.get_header_value("X-Idempotency-Key");
      const std::string id = req.method + " " + req.path + " " + key;
      for (int n = 0; n < c.arrivals; ++n) {
        auto seen = answered.find(id);
        if (!key.empty() && seen != answered.end()) {
          ++replays;
          res.status = seen->second.first;
          res.set_content(seen->second.second, "application/json");
          continue;
        }
        act();
        if (!key.empty()) answered[id] = {res.status, res.body};
      }
    }
    gridbill::standin::Faults::Hold(c);
  };

  httplib::Server server;
  faults.Guard(server, {"/stats"}, "", "");
  server.Get("/api/now/table/incident", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string q = req.get_param_value("sysparm_query");
    std::string corr;
    bool active_only = false;
    for (size_t p = 0; p <= q.size();) {
      size_t e = q.find('^', p);
      if (e == std::string::npos) e = q.size();
      const std::string term = q.substr(p, e - p);
      if (term.rfind("correlation_id=", 0) == 0) corr = term.substr(15);
      if (term == "active=true") active_only = true;
      p = e + 1;
    }
    std::lock_guard<std::mutex> l(mu);
    std::string out = "{\"result\":[";
    bool first = true;
    for (const Incident& i : incidents) {
      if (!corr.empty() && i.correlation_id != corr) continue;
      if (active_only && i.state == "6") continue;
      if (!first) out += ",";
      out += Json(i);
      first = false;
    }
    res.set_content(out + "]}", "application/json");
  });
  server.Post("/api/now/table/incident", [&](const httplib::Request& req, httplib::Response& res) {
    change(req, res, [&] {
      Incident i;
      i.sys_id = "sys" + std::to_string(incidents.size() + 1);
      i.number = "INC" + std::to_string(1000000 + incidents.size() + 1);
      i.correlation_id = Field(req.body, "correlation_id");
      i.short_description = Field(req.body, "short_description");
      i.description = Field(req.body, "description");
      incidents.push_back(i);
      res.status = 201;
      res.set_content("{\"result\":" + Json(i) + "}", "application/json");
    });
  });
  server.Patch(R"(/api/now/table/incident/(\w+))",
               [&](const httplib::Request& req, httplib::Response& res) {
                 change(req, res, [&] {
                   for (Incident& i : incidents) {
                     if (i.sys_id != req.matches[1]) continue;
                     const std::string state = Field(req.body, "state");
                     if (!state.empty()) i.state = state;
                     const std::string notes = Field(req.body, "work_notes");
                     if (!notes.empty()) i.work_notes.push_back(notes);
                     const std::string close = Field(req.body, "close_notes");
                     if (!close.empty()) i.close_notes = close;
                     res.status = 200;
                     res.set_content("{\"result\":" + Json(i) + "}", "application/json");
                     return;
                   }
                   res.status = 404;
                 });
               });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    int active = 0, resolved = 0, duplicate_active = 0;
    size_t work_notes = 0;
    std::map<std::string, int> active_by;
    for (const Incident& i : incidents) {
      work_notes += i.work_notes.size();
      if (i.state == "6") {
        ++resolved;
      } else {
        ++active;
        if (++active_by[i.correlation_id] > 1) ++duplicate_active;
      }
    }
    res.set_content("{\"incidents\":" + std::to_string(incidents.size()) + ",\"active\":" +
                        std::to_string(active) + ",\"resolved\":" + std::to_string(resolved) +
                        ",\"duplicate_active\":" + std::to_string(duplicate_active) +
                        ",\"work_notes\":" + std::to_string(work_notes) +
                        ",\"replays\":" + std::to_string(replays) + faults.StatsJson() + "}",
                    "application/json");
  });
  return gridbill::standin::Listen(server, "itsm_standin", host, port);
}
