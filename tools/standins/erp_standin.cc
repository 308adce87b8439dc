// A stand-in for the ERP's importer of Gridbill's outbox folder, for `up`
// and the tests. Integrations delivers to ERP as files (what the issue and
// the ERP's usual file exchange ask for): per document a CSV and, written
// last, its `.manifest` (idempotency_key, file, rows, amount, vat, total,
// sha256); per finished invoice run an entries CSV (invoicing's accruals,
// sums in `amount_tiyn`, `vat_tiyn`, `total_tiyn`) with a manifest of
// `kind=entries`. This process watches the folder (--dir) as an importer would:
// every manifest that appears (or is written again) is checked against its
// CSV — the SHA-256 of the file, the number of data rows and the sums of
// the amount, vat and total columns — and then either recorded as a
// delivery under its idempotency key or rejected with the reason. A key
// received again (a manifest written twice, a second file with a key
// already taken) is counted in `duplicates` and not recorded again: the
// ERP is not harmed by a redelivery.
//
//   GET /stats     deliveries, rows, total (tenge; total_tiyn) of the document
//                  files; entries, entry_rows, entries_total_tiyn of the entries
//                  files; manifests read, duplicates, rejected (of both)
//   GET /received  every delivery (key, file, rows, total) and rejection
//
// Faults (standin.h): --twice-every N reads every N-th manifest twice (as
// an importer that picked a file up twice: the second is a duplicate).
// --fail-every N answers every N-th query 503.
//
//   erp_standin --dir .run/integrations/erp-out --port 7212
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gridbill/base/csv.h"
#include "gridbill/base/sha256.h"
#include "standin.h"

namespace {

namespace fs = std::filesystem;
using gridbill::standin::Arg;
using gridbill::standin::Quote;

struct Received {
  std::string key, file, kind;  // kind: "entries" or "document"
  int rows = 0;
  int64_t total = 0;  // tiyn
};

struct Rejected {
  std::string manifest, reason;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ValueOf(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size() + 1, key + "=") == 0) return line.substr(key.size() + 1);
  }
  return "";
}

// "-123.45" as tiyn; false when it is not a sum of money with two decimals.
bool Tiyn(const std::string& s, int64_t* out) {
  const bool neg = !s.empty() && s[0] == '-';
  const size_t dot = s.find('.');
  if (dot == std::string::npos || s.size() - dot != 3 || dot == (neg ? 1u : 0u)) return false;
  int64_t v = 0;
  for (size_t i = neg ? 1 : 0; i < s.size(); ++i) {
    if (i == dot) continue;
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

// "-12345" as tiyn; false when it is not a whole number.
bool WholeTiyn(const std::string& s, int64_t* out) {
  const bool neg = !s.empty() && s[0] == '-';
  if (s.size() == (neg ? 1u : 0u) || s.size() > 19) return false;
  int64_t v = 0;
  for (size_t i = neg ? 1 : 0; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

std::string Tenge(int64_t tiyn) {
  const int64_t a = tiyn < 0 ? -tiyn : tiyn;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", tiyn < 0 ? "-" : "",
                static_cast<long long>(a / 100), static_cast<long long>(a % 100));
  return buf;
}

// Checks a manifest against its CSV: "" when it holds, else the reason.
std::string Verify(const fs::path& manifest_path, const std::string& manifest, Received* r) {
  r->key = ValueOf(manifest, "idempotency_key");
  r->file = ValueOf(manifest, "file");
  r->kind = ValueOf(manifest, "kind") == "entries" ? "entries" : "document";
  if (r->key.empty()) return "no idempotency_key";
  if (r->file.empty() || r->file.find('/') != std::string::npos) return "no file, or not a name";
  const fs::path csv_path = manifest_path.parent_path() / r->file;
  std::error_code ec;
  if (!fs::exists(csv_path, ec)) return r->file + " is missing";
  const std::string csv = ReadAll(csv_path);
  if (gridbill::Sha256Hex(csv) != ValueOf(manifest, "sha256")) {
    return r->file + " does not hash to the manifest's sha256";
  }
  gridbill::CsvParseResult parsed = gridbill::ParseCsv(csv);
  if (!parsed.errors.empty()) {
    return r->file + " line " + std::to_string(parsed.errors[0].line) + ": " +
           parsed.errors[0].message;
  }
  if (parsed.records.empty()) return r->file + " has no header";
  const std::vector<std::string>& header = parsed.records[0].fields;
  r->rows = static_cast<int>(parsed.records.size()) - 1;
  if (std::to_string(r->rows) != ValueOf(manifest, "rows")) {
    return r->file + " has " + std::to_string(r->rows) + " rows, the manifest " +
           ValueOf(manifest, "rows");
  }
  for (const char* column : {"amount", "vat", "total"}) {
    // A document file has the sum in tenge (`amount`), an entries file in
    // tiyn as invoicing exports it (`amount_tiyn`).
    size_t c = 0;
    while (c < header.size() && header[c] != column) ++c;
    const bool in_tiyn = c == header.size();
    if (in_tiyn) {
      c = 0;
      while (c < header.size() && header[c] != std::string(column) + "_tiyn") ++c;
    }
    if (c == header.size()) return r->file + " has no column " + column + " or " + column + "_tiyn";
    int64_t sum = 0, want = 0;
    for (size_t i = 1; i < parsed.records.size(); ++i) {
      int64_t v = 0;
      const std::vector<std::string>& f = parsed.records[i].fields;
      if (c >= f.size() || !(in_tiyn ? WholeTiyn(f[c], &v) : Tiyn(f[c], &v))) {
        return r->file + " line " + std::to_string(parsed.records[i].line) + ": " + column +
               " is not a sum";
      }
      sum += v;
    }
    if (!Tiyn(ValueOf(manifest, column), &want) || sum != want) {
      return r->file + ": " + column + " sums to " + Tenge(sum) + ", the manifest " +
             ValueOf(manifest, column);
    }
    if (std::string(column) == "total") r->total = sum;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const int port = std::stoi(Arg(argc, argv, "port", "7212"));
  const std::string host = Arg(argc, argv, "host", "127.0.0.1");
  const fs::path dir = Arg(argc, argv, "dir", "erp-out");
  const int scan_ms = std::stoi(Arg(argc, argv, "scan-ms", "200"));
  gridbill::standin::Faults faults(argc, argv);

  std::mutex mu;
  std::vector<Received> deliveries;
  std::map<std::string, size_t> by_key;
  std::vector<Rejected> rejected;
  std::map<std::string, std::string> seen;  // manifest path -> the SHA-256 of what was read
  int manifests = 0, duplicates = 0;

  // One manifest as read (once, or twice as the fault modes say).
  auto take = [&](const fs::path& path, const std::string& manifest) {
    const gridbill::standin::Faults::Change change = faults.NextChange();
    std::lock_guard<std::mutex> l(mu);
    for (int n = 0; n < change.arrivals; ++n) {
      ++manifests;
      Received r;
      const std::string reason = Verify(path, manifest, &r);
      if (!reason.empty()) {
        rejected.push_back({path.lexically_relative(dir).string(), reason});
        continue;
      }
      r.file = (path.parent_path() / r.file).lexically_relative(dir).string();
      if (by_key.count(r.key) > 0) {
        ++duplicates;
        continue;
      }
      by_key[r.key] = deliveries.size();
      deliveries.push_back(r);
    }
  };
  std::atomic<bool> stop{false};
  std::thread scanner([&] {
    while (!stop) {
      std::error_code ec;
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(dir, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".manifest") found.push_back(it->path());
      }
      for (const fs::path& p : found) {
        const std::string manifest = ReadAll(p);
        const std::string sha = gridbill::Sha256Hex(manifest);
        {
          std::lock_guard<std::mutex> l(mu);
          std::string& last = seen[p.string()];
          if (last == sha) continue;
          last = sha;
        }
        take(p, manifest);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(scan_ms));
    }
  });

  httplib::Server server;
  server.set_pre_routing_handler([&](const httplib::Request&, httplib::Response& res) {
    if (!faults.Fail()) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 503;
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    int64_t documents = 0, rows = 0, total = 0, entries = 0, entry_rows = 0, entries_total = 0;
    for (const Received& r : deliveries) {
      if (r.kind == "entries") {
        ++entries;
        entry_rows += r.rows;
        entries_total += r.total;
        continue;
      }
      ++documents;
      rows += r.rows;
      total += r.total;
    }
    res.set_content(
        "{\"deliveries\":" + std::to_string(documents) + ",\"manifests\":" +
            std::to_string(manifests) + ",\"duplicates\":" + std::to_string(duplicates) +
            ",\"rejected\":" + std::to_string(rejected.size()) +
            ",\"rows\":" + std::to_string(rows) + ",\"total\":" + Quote(Tenge(total)) +
            ",\"total_tiyn\":" + std::to_string(total) + ",\"entries\":" + std::to_string(entries) +
            ",\"entry_rows\":" + std::to_string(entry_rows) +
            ",\"entries_total_tiyn\":" + std::to_string(entries_total) + faults.StatsJson() + "}",
        "application/json");
  });
  server.Get("/received", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    std::string out = "{\"deliveries\":[";
    for (size_t i = 0; i < deliveries.size(); ++i) {
      const Received& r = deliveries[i];
      out += (i > 0 ? "," : "") + std::string("{\"idempotency_key\":") + Quote(r.key) +
             ",\"file\":" + Quote(r.file) + ",\"kind\":" + Quote(r.kind) +
             ",\"rows\":" + std::to_string(r.rows) + ",\"total\":" + Quote(Tenge(r.total)) + "}";
    }
    out += "],\"rejected\":[";
    for (size_t i = 0; i < rejected.size(); ++i) {
      out += (i > 0 ? "," : "") + std::string("{\"manifest\":") + Quote(rejected[i].manifest) +
             ",\"reason\":" + Quote(rejected[i].reason) + "}";
    }
    res.set_content(out + "]}", "application/json");
  });
  const int code = gridbill::standin::Listen(server, "erp_standin", host, port);
  stop = true;
  scanner.join();
  return code;
}
