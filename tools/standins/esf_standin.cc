// A stand-in for ESF, the state's e-invoice system, with the real service's
// shape (a session by BIN and credentials, invoice upload, status by id,
// invoices by date range in pages), for `up` and the tests. It records what
// it received, in memory and as one line per upload in --log, and checks
// idempotency keys: an upload with a key it has seen is the same invoice,
// and a second registration of one key would be counted in
// `duplicate_registrations` (GET /esf/v1/stats), which must stay 0.
//
// Faults for the tests: --fail-every N answers every N-th upload 503,
// --slow-every N sleeps past a client's deadline on every N-th upload (after
// storing it: the client sees a time-out of an upload that happened),
// --twice-every N answers every N-th upload twice-over (the client's retry
// gets the stored invoice), --reject-bin BIN declines invoices to that
// customer (FAILED with a reason), --register-after N registers an invoice on
// its N-th status query (sent -> delivered). A correction (the ESF of a
// credit or debit note, ADDITIONAL_INVOICE) must name the registration
// number of a registered invoice (related_registration_number); counted in
// `corrections`.
//
//   esf_standin --port 7208 --log /tmp/esf.log
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

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

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

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
  const int fail_every = std::stoi(Arg(argc, argv, "fail-every", "0"));
  const int slow_every = std::stoi(Arg(argc, argv, "slow-every", "0"));
  const int twice_every = std::stoi(Arg(argc, argv, "twice-every", "0"));
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
    bool slow = false;
    Invoice inv;
    {
      std::lock_guard<std::mutex> l(mu);
      ++uploads;
      if (fail_every > 0 && uploads % fail_every == 0) {
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
      slow = slow_every > 0 && uploads % slow_every == 0;
      if (twice_every > 0 && uploads % twice_every == 0) ++duplicates;
    }
    if (slow) std::this_thread::sleep_for(std::chrono::seconds(15));
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
    res.set_content("{\"invoices\":" + std::to_string(by_key.size()) +
                        ",\"uploads\":" + std::to_string(uploads) +
                        ",\"duplicate_uploads\":" + std::to_string(duplicates) +
                        ",\"registrations\":" + std::to_string(registrations) +
                        ",\"duplicate_registrations\":" + std::to_string(duplicate_registrations) +
                        ",\"corrections\":" + std::to_string(corrections) + "}",
                    "application/json");
  });
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::cerr << "esf_standin: cannot listen on " << host << ":" << port << "\n";
    return 1;
  }
  std::cout << "esf_standin listening on " << host << ":" << bound << std::endl;
  server.listen_after_bind();
  return 0;
}
