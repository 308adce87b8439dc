// A stand-in for ESF, the state's e-invoice system, with the real service's
// shape (a session by BIN and credentials, invoice upload, status by id,
// invoices by date range in pages), for `up` and the tests. It records what
// it received, in memory and as one line per upload in --log, and checks
// idempotency keys: an upload with a key it has seen is the same invoice,
// and a second registration of one key would be counted in
// `duplicate_registrations` (GET /esf/v1/stats), which must stay 0.
//
// Faults for the tests, the modes of standin.h over the uploads:
// --fail-every N (503), --slow-every N (stored, then answered past the
// client's deadline), --twice-every N (received twice: the second arrival
// is the stored invoice, counted in `duplicate_uploads`); --reject-bin BIN declines invoices to
// that customer (FAILED with a reason), --register-after N registers an invoice on its N-th status
// query (sent -> delivered). A correction (the ESF of a credit or debit note, ADDITIONAL_INVOICE)
// must name the registration number of a registered invoice (related_registration_number); counted
// in `corrections`.
//
//   esf_standin --port 7208 --log /tmp/esf.log
#include <httplib.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "standin.h"

namespace {

using gridbill::standin::Arg;

struct Invoice {
  std::string id;
  std::string key;
  std::string related;
  std::string corrects;  // the registration number an ADDITIONAL_INVOICE corrects
  std::string registration;
  std::string status = "QUEUED";
  std::string reason;
  std::string date;  // YYYY-MM-DD of the upload
  int queries = 0;
  size_t bytes = 0;
};

std::string Today() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

std::string InvoiceJson(const Invoice& inv) {
  return "{\"invoice_id\":\"" + inv.id + "\",\"status\":\"" + inv.status +
         "\",\"registration_number\":\"" + inv.registration + "\",\"reason\":\"" + inv.reason +
         "\",\"related_document\":\"" + inv.related + "\",\"related_registration_number\":\"" +
         inv.corrects + "\",\"date\":\"" + inv.date + "\"}";
}

}  // namespace

int main(int argc, char** argv) {
  const int port = std::stoi(Arg(argc, argv, "port", "7208"));
  const std::string host = Arg(argc, argv, "host", "127.0.0.1");
  const std::string log_path = Arg(argc, argv, "log", "");
  gridbill::standin::Faults faults(argc, argv);
  const int register_after = std::stoi(Arg(argc, argv, "register-after", "1"));
  const std::string reject_bin = Arg(argc, argv, "reject-bin", "");

  std::mutex mu;
  std::map<std::string, Invoice> by_key;
  std::map<std::string, std::string> key_of_id;
  std::map<std::string, std::string> sessions;  // id -> BIN
  int uploads = 0, duplicates = 0, registrations = 0, duplicate_registrations = 0;
  int corrections = 0;
  std::map<std::string, std::string> registered;  // registration number -> key
  std::map<std::string, int> registered_keys;
  std::ofstream log;
  if (!log_path.empty()) log.open(log_path, std::ios::app);

  httplib::Server server;
  server.Post("/esf/v1/sessions", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string& b = req.body;
    if (b.find("\"bin\"") == std::string::npos || b.find("\"password\"") == std::string::npos) {
      res.status = 400;
      res.set_content("{\"error\":\"bin, username and password are required\"}",
                      "application/json");
      return;
    }
    std::lock_guard<std::mutex> l(mu);
    const std::string id = "S" + std::to_string(sessions.size() + 1);
    sessions[id] = b;
    res.set_content("{\"session_id\":\"" + id + "\"}", "application/json");
  });
  auto session_ok = [&](const httplib::Request& req) {
    std::lock_guard<std::mutex> l(mu);
    return sessions.count(req.get_header_value("X-Session-Id")) > 0;
  };
  server.Post("/esf/v1/invoices", [&](const httplib::Request& req, httplib::Response& res) {
    if (!session_ok(req)) {
      res.status = 401;
      res.set_content("{\"error\":\"no session\"}", "application/json");
      return;
    }
    const std::string key = req.get_header_value("X-Idempotency-Key");
    if (key.empty() || req.body.find("<") == std::string::npos) {
      res.status = 400;
      res.set_content("{\"error\":\"an invoice XML and X-Idempotency-Key are required\"}",
                      "application/json");
      return;
    }
    gridbill::standin::Faults::Change change;
    Invoice inv;
    {
      std::lock_guard<std::mutex> l(mu);
      ++uploads;
      if (faults.Fail()) {
        res.status = 503;
        res.set_content("{\"error\":\"service unavailable\"}", "application/json");
        return;
      }
      auto it = by_key.find(key);
      // A correction (ADDITIONAL_INVOICE) names the registration number of
      // the invoice it corrects, which must be registered here.
      const std::string corrects = req.get_param_value("related_registration_number");
      if (it == by_key.end() && req.body.find("ADDITIONAL_INVOICE") != std::string::npos &&
          corrects.empty()) {
        res.status = 400;
        res.set_content("{\"error\":\"an ADDITIONAL_INVOICE needs related_registration_number\"}",
                        "application/json");
        return;
      }
      if (it == by_key.end() && !corrects.empty() && registered.count(corrects) == 0) {
        res.status = 400;
        res.set_content("{\"error\":\"the related invoice " + corrects + " is not registered\"}",
                        "application/json");
        return;
      }
      if (it != by_key.end()) {
        ++duplicates;
        inv = it->second;
      } else {
        inv.id = "INV" + std::to_string(by_key.size() + 1);
        inv.key = key;
        inv.related = req.get_param_value("related_document");
        inv.corrects = corrects;
        if (!corrects.empty()) ++corrections;
        inv.date = Today();
        inv.bytes = req.body.size();
        if (!reject_bin.empty() && req.body.find(reject_bin) != std::string::npos) {
          inv.status = "FAILED";
          inv.reason = "the customer's BIN " + reject_bin + " is not registered as a VAT payer";
        }
        by_key[key] = inv;
        key_of_id[inv.id] = key;
        if (log.is_open()) log << "upload " << key << " " << inv.id << std::endl;
      }
      change = faults.NextChange();
      duplicates += change.arrivals - 1;  // a second arrival is the stored invoice
    }
    gridbill::standin::Faults::Hold(change);
    res.set_content(InvoiceJson(inv), "application/json");
  });
  server.Get(R"(/esf/v1/invoices/(\w+))", [&](const httplib::Request& req, httplib::Response& res) {
    if (!session_ok(req)) {
      res.status = 401;
      return;
    }
    std::lock_guard<std::mutex> l(mu);
    auto k = key_of_id.find(req.matches[1]);
    if (k == key_of_id.end()) {
      res.status = 404;
      res.set_content("{\"error\":\"no such invoice\"}", "application/json");
      return;
    }
    Invoice& inv = by_key[k->second];
    if (inv.status == "QUEUED" && ++inv.queries >= register_after) {
      inv.status = "DELIVERED";
      inv.registration = "ESF-" + inv.id.substr(3);
      registered[inv.registration] = inv.key;
      ++registrations;
      if (++registered_keys[inv.key] > 1) ++duplicate_registrations;
      if (log.is_open()) log << "registered " << inv.key << " " << inv.registration << std::endl;
    }
    res.set_content(InvoiceJson(inv), "application/json");
  });
  // Invoices by upload date range, in pages: ?from=YYYY-MM-DD&to=YYYY-MM-DD&page=N&size=M.
  server.Get("/esf/v1/invoices", [&](const httplib::Request& req, httplib::Response& res) {
    if (!session_ok(req)) {
      res.status = 401;
      return;
    }
    const std::string from = req.get_param_value("from"), to = req.get_param_value("to");
    const int page = req.has_param("page") ? std::stoi(req.get_param_value("page")) : 0;
    const int size = req.has_param("size") ? std::stoi(req.get_param_value("size")) : 100;
    std::lock_guard<std::mutex> l(mu);
    std::vector<const Invoice*> hits;
    for (const auto& [key, inv] : by_key) {
      if ((from.empty() || inv.date >= from) && (to.empty() || inv.date <= to))
        hits.push_back(&inv);
    }
    std::string out = "{\"total\":" + std::to_string(hits.size()) + ",\"invoices\":[";
    for (int i = page * size; i < static_cast<int>(hits.size()) && i < (page + 1) * size; ++i) {
      if (i > page * size) out += ",";
      out += InvoiceJson(*hits[static_cast<size_t>(i)]);
    }
    res.set_content(out + "]}", "application/json");
  });
  // What the tests count.
  server.Get("/esf/v1/stats", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    res.set_content(
        "{\"invoices\":" + std::to_string(by_key.size()) + ",\"uploads\":" +
            std::to_string(uploads) + ",\"duplicate_uploads\":" + std::to_string(duplicates) +
            ",\"registrations\":" + std::to_string(registrations) +
            ",\"duplicate_registrations\":" + std::to_string(duplicate_registrations) +
            ",\"corrections\":" + std::to_string(corrections) + faults.StatsJson() + "}",
        "application/json");
  });
  return gridbill::standin::Listen(server, "esf_standin", host, port);
}
