#include "books.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace gridbill::faults {
namespace {

using Map = std::map<std::string, std::string>;

Rows Must(const std::string& db, const std::string& sql) {
  std::string error;
  for (int i = 0; i < 50; ++i) {
    if (std::optional<Rows> rows = Query(db, sql, &error)) return *rows;
    std::this_thread::sleep_for(milliseconds(200));
  }
  throw std::runtime_error("books: " + error);
}

Map MapOf(const std::string& db, const std::string& sql) {
  Map out;
  for (const auto& row : Must(db, sql)) out[row[0]] = row[1];
  return out;
}

// Rows as sorted lines, column `mapped` (if >= 0) replaced through `map`.
std::vector<std::string> Lines(const Rows& rows, int mapped = -1, const Map* map = nullptr) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (std::vector<std::string> row : rows) {
    if (mapped >= 0) {
      auto it = map->find(row[static_cast<size_t>(mapped)]);
      row[static_cast<size_t>(mapped)] =
          it == map->end() ? "?" + row[static_cast<size_t>(mapped)] : it->second;
    }
    out.push_back(absl::StrJoin(row, "|"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::ostringstream s;
  s << "    fault-free " << want.size() << " rows, with faults " << got.size() << "; "
    << missing.size() << " missing, " << extra.size() << " extra\n";
  for (size_t i = 0; i < std::min<size_t>(5, missing.size()); ++i) {
    s << "    missing: " << missing[i] << "\n";
  }
  for (size_t i = 0; i < std::min<size_t>(5, extra.size()); ++i) {
    s << "    extra:   " << extra[i] << "\n";
  }
  return s.str();
}

size_t Count(const std::map<std::string, std::vector<std::string>>& m) {
  size_t n = 0;
  for (const auto& [k, v] : m) n += v.size();
  return n;
}

}  // namespace

Books ReadBooks(Stack& stack) {
  Books b;
  const std::string contracts = stack.db("contracts");
  const Map bins = MapOf(contracts, "SELECT id::text, 'BIN ' || bin FROM participants");
  const Map numbers = MapOf(contracts, "SELECT id::text, number FROM contracts");

  const std::string metering = stack.db("metering");
  b.readings = Lines(Must(metering,
                          "SELECT mp.code, rd.channel, rd.day, rd.revision, md5(rd.vals::text), "
                          "md5(rd.quality::text) FROM reading_days rd "
                          "JOIN metering_points mp ON mp.id = rd.point_id"));
  b.revision_gaps = Lines(Must(metering,
                               "SELECT mp.code, rd.channel, rd.day FROM reading_days rd "
                               "JOIN metering_points mp ON mp.id = rd.point_id "
                               "GROUP BY mp.code, rd.channel, rd.day "
                               "HAVING max(rd.revision) <> count(*) OR min(rd.revision) <> 1"));

  const std::string balance = stack.db("balance");
  for (const auto& row : Must(balance,
                              "SELECT to_char(r.period, 'YYYY-MM'), count(*) FROM runs r "
                              "JOIN jobs j ON j.id = r.id::text WHERE r.type = 2 AND j.state = 3 "
                              "GROUP BY 1")) {
    b.final_runs.push_back(absl::StrJoin(row, "|"));
  }
  std::sort(b.final_runs.begin(), b.final_runs.end());
  for (const auto& run : Must(balance,
                              "SELECT r.id, to_char(r.period, 'YYYY-MM') FROM runs r "
                              "JOIN jobs j ON j.id = r.id::text WHERE r.type = 2 AND j.state = 3 "
                              "ORDER BY r.id")) {
    const std::string& id = run[0];
    const std::string& period = run[1];
    b.balance[period + " run totals"] = Lines(
        Must(balance,
             "SELECT supply_wh, consumption_wh, node_losses_wh, hours, service_hours, node_hours "
             "FROM runs WHERE id = " +
                 id));
    b.balance[period + " service_hours"] =
        Lines(Must(balance,
                   "SELECT participant_id, service_type, hour_start, actual_wh, declared_wh, "
                   "has_declaration, intervals, estimated, missing FROM service_hours "
                   "WHERE run_id = " +
                       id),
              0, &bins);
    b.balance[period + " node_hours"] = Lines(
        Must(balance,
             "SELECT node_code, kind, hour_start, inflow_wh, outflow_wh, normative_loss_percent, "
             "intervals, estimated, missing FROM node_hours WHERE run_id = " +
                 id));
    // What the run read: each point-day's revision (compared), and each
    // point-day listed once per shard that reads its point (checked against
    // the run's shards; see Books::read).
    b.read[period] = Lines(Must(balance,
                                "SELECT DISTINCT point_code, channel, day, revision "
                                "FROM run_point_days WHERE run_id = " +
                                    id));
    b.read_rows[period] = std::stoll(
        Must(balance, "SELECT count(*) FROM run_point_days WHERE run_id = " + id).at(0).at(0));
    const std::string listing =
        "WITH keys AS (SELECT DISTINCT rs.shard_no, t.point, t.channel FROM run_shards rs "
        "JOIN schemes s ON s.id = ANY (rs.scheme_ids), "
        "unnest(s.term_points, s.term_channels) AS t(point, channel) WHERE rs.run_id = " +
        id +
        "), shards AS (SELECT point, channel, count(*) AS n FROM keys GROUP BY 1, 2), "
        "listed AS (SELECT point_code, channel, day, count(*) AS n FROM run_point_days "
        "WHERE run_id = " +
        id +
        " GROUP BY 1, 2, 3) "
        "SELECT l.point_code, l.channel, l.day, l.n, coalesce(s.n, 0) FROM listed l "
        "LEFT JOIN shards s ON s.point = l.point_code AND s.channel = l.channel "
        "WHERE l.n <> coalesce(s.n, 0)";
    for (const std::string& row : Lines(Must(balance, listing))) {
      b.read_listing.push_back(period + "|" + row);
    }
  }

  const std::string invoicing = stack.db("invoicing");
  // Numbers are taken in the order the run's workers reach the contracts,
  // which differs from run to run: a document is its type, contract and
  // period (one of each per contract and month here); its number counts in
  // the numbering check.
  b.documents = Lines(Must(invoicing,
                           "SELECT d.doc_type, d.contract_number, d.period, d.year, "
                           "d.customer_bin, coalesce(r.doc_type || ' ' || r.contract_number, ''), "
                           "d.provisional, d.amount_tiyn, d.vat_tiyn, d.total_tiyn, d.issue_date, "
                           "d.turnover_date, d.due_date FROM documents d "
                           "LEFT JOIN documents r ON r.id = d.related_id"));
  b.lines = Lines(Must(invoicing,
                       "SELECT d.doc_type, d.contract_number, d.period, l.line_no, "
                       "l.service_type, l.from_date, l.to_date, l.volume_wh, l.price_per_kwh, "
                       "l.amount_tiyn, l.vat_rate_percent, l.vat_tiyn, l.total_tiyn, "
                       "l.tariff_version, l.balance_run_type, l.estimated_share, l.missing_share "
                       "FROM document_lines l JOIN documents d ON d.id = l.document_id"));
  b.document_keys = MapOf(invoicing,
                          "SELECT number, doc_type || ' ' || contract_number || ' ' || period "
                          "FROM documents");
  b.billings =
      Lines(Must(invoicing, "SELECT contract_id, period, basis FROM billings"), 0, &numbers);
  b.payments = Lines(Must(invoicing,
                          "SELECT reference, value_date, payer_bin, contract_number, amount_tiyn "
                          "FROM payments"));
  b.numbering = Lines(Must(invoicing,
                           "SELECT d.doc_type, d.year, count(*), min(d.seq), max(d.seq), "
                           "coalesce((SELECT c.last_seq FROM doc_counters c WHERE c.doc_type = "
                           "d.doc_type AND c.year = d.year), -1) FROM documents d "
                           "GROUP BY d.doc_type, d.year"));
  b.doubled = Lines(Must(invoicing,
                         "SELECT contract_id, period, count(*) FROM documents "
                         "WHERE doc_type = 'invoice' GROUP BY contract_id, period "
                         "HAVING count(*) > 1"),
                    0, &numbers);

  for (const char* service : {"metering", "balance", "invoicing"}) {
    for (const auto& row : Must(stack.db(service), "SELECT id, kind, state, error FROM jobs")) {
      const std::string state = row[2] == "1"   ? "pending"
                                : row[2] == "2" ? "running"
                                : row[2] == "3" ? "succeeded"
                                : row[2] == "4" ? "failed"
                                                : "cancelled";
      ++b.jobs[absl::StrCat(service, " ", row[1], " ", state)];
      if (row[2] == "1" || row[2] == "2" || (row[2] == "4" && row[3].empty())) {
        b.open_jobs.push_back(absl::StrCat(service, " ", row[0], " ", row[1], " ", state));
      }
    }
  }
  return b;
}

std::vector<Check> Compare(const Books& ref, const Books& got) {
  std::vector<Check> out;
  auto same = [&](const std::string& what, const std::vector<std::string>& want,
                  const std::vector<std::string>& have) {
    out.push_back({what, want == have, want == have ? "" : Diff(want, have)});
  };
  same(absl::StrCat("every reading stored once at its right revision: ", ref.readings.size(),
                    " point-day revisions (point, channel, day, revision, values, quality)"),
       ref.readings, got.readings);
  out.push_back({"revisions of every point-day numbered 1..n", got.revision_gaps.empty(),
                 got.revision_gaps.empty() ? "" : Diff({}, got.revision_gaps)});
  same("one succeeded final balance run per month", ref.final_runs, got.final_runs);
  {
    bool ok = ref.read.size() == got.read.size();
    std::string detail;
    size_t n = 0;
    for (const auto& [period, rows] : ref.read) {
      n += rows.size();
      auto it = got.read.find(period);
      const std::vector<std::string> none;
      const std::vector<std::string>& have = it == got.read.end() ? none : it->second;
      if (rows != have) {
        ok = false;
        detail += "   " + period + ":\n" + Diff(rows, have);
      }
    }
    out.push_back({absl::StrCat("the final runs read the same revision of every point-day: ", n,
                                " point-days (point, channel, day, revision)"),
                   ok, detail});
  }
  {
    // period|point|channel|day|listed|shards
    std::string detail;
    for (const auto& [run, rows] : {std::pair{"fault-free", &ref.read_listing},
                                    std::pair{"with faults", &got.read_listing}}) {
      for (size_t i = 0; i < std::min<size_t>(5, rows->size()); ++i) {
        detail += absl::StrCat("    ", run, ": ", (*rows)[i], "\n");
      }
      if (rows->size() > 5) detail += absl::StrCat("    ", run, ": ", rows->size(), " in all\n");
    }
    out.push_back(
        {"each final run's shards listed what they read once each (a point-day once "
         "per shard whose schemes hold its point and channel)",
         detail.empty(), detail});
  }
  {
    bool ok = ref.balance.size() == got.balance.size();
    std::string detail;
    for (const auto& [key, rows] : ref.balance) {
      auto it = got.balance.find(key);
      const std::vector<std::string> none;
      const std::vector<std::string>& have = it == got.balance.end() ? none : it->second;
      if (rows != have) {
        ok = false;
        detail += "   " + key + ":\n" + Diff(rows, have);
      }
    }
    out.push_back({absl::StrCat("balance results bit-for-bit equal: ", Count(ref.balance),
                                " rows (service hours, node hours, run volume totals) of the "
                                "final runs"),
                   ok, detail});
  }
  out.push_back({"each contract billed once (no second invoice for a contract and month)",
                 got.doubled.empty(), got.doubled.empty() ? "" : Diff({}, got.doubled)});
  same(absl::StrCat("billings: ", ref.billings.size(), " contract-months"), ref.billings,
       got.billings);
  same(absl::StrCat("documents equal: ", ref.documents.size(),
                    " documents (type, contract, month, customer, related document, amounts, "
                    "dates)"),
       ref.documents, got.documents);
  same(absl::StrCat("document lines equal: ", ref.lines.size(), " lines"), ref.lines, got.lines);
  {
    bool ok = ref.numbering == got.numbering && !got.numbering.empty();
    std::string detail;
    for (const std::string& n : got.numbering) {
      // type|year|count|min|max|counter
      std::vector<std::string> f;
      std::stringstream ss(n);
      for (std::string part; std::getline(ss, part, '|');) f.push_back(part);
      const bool gapless = f.size() == 6 && f[2] == f[4] && f[3] == "1" && (f[5] == f[4]);
      if (!gapless) {
        ok = false;
        detail += "    not gapless: " + n + "\n";
      }
    }
    if (ref.numbering != got.numbering) detail += Diff(ref.numbering, got.numbering);
    out.push_back({absl::StrCat("document numbering gapless (", got.numbering.size(),
                                " type-years: count = last number = counter, from 1)"),
                   ok, detail});
  }
  same(absl::StrCat("payments stored once: ", ref.payments.size(), " bank references"),
       ref.payments, got.payments);
  {
    std::string detail;
    for (const std::string& j : got.open_jobs) detail += "    " + j + "\n";
    int64_t ended = 0, failed = 0;
    for (const auto& [k, n] : got.jobs) {
      ended += n;
      if (k.find(" failed") != std::string::npos) failed += n;
    }
    out.push_back({absl::StrCat("every job finished or failed with a reason, none left running: ",
                                ended, " jobs, ", failed, " failed with a reason"),
                   got.open_jobs.empty(), detail});
  }
  return out;
}

bool WaitJobsEnded(Stack& stack, seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int64_t open = 0;
    bool answered = true;
    for (const char* service : {"metering", "balance", "invoicing"}) {
      std::optional<Rows> rows =
          Query(stack.db(service), "SELECT count(*) FROM jobs WHERE state IN (1, 2)");
      if (!rows) {
        answered = false;
        break;
      }
      open += std::stoll((*rows)[0][0]);
    }
    if (answered && open == 0) return true;
    std::this_thread::sleep_for(milliseconds(500));
  }
  return false;
}

std::vector<std::string> AllocationsOf(const std::string& json, const Books& books) {
  google::protobuf::Struct s;
  std::vector<std::string> out;
  if (!google::protobuf::util::JsonStringToMessage(json, &s).ok()) {
    out.push_back("unreadable: " + json.substr(0, 200));
    return out;
  }
  auto str = [](const google::protobuf::Struct& m, const std::string& name) -> std::string {
    auto it = m.fields().find(name);
    if (it == m.fields().end()) return "0";
    return it->second.has_string_value() ? it->second.string_value()
                                         : absl::StrCat(it->second.number_value());
  };
  auto it = s.fields().find("payments");
  if (it == s.fields().end()) return out;
  for (const auto& p : it->second.list_value().values()) {
    const google::protobuf::Struct& payment = p.struct_value();
    const std::string ref = str(payment, "reference");
    out.push_back(ref + "|unallocated|" + str(payment, "unallocatedTiyn"));
    auto a = payment.fields().find("allocations");
    if (a == payment.fields().end()) continue;
    for (const auto& v : a->second.list_value().values()) {
      const std::string number = str(v.struct_value(), "documentNumber");
      auto key = books.document_keys.find(number);
      out.push_back(ref + "|" + (key == books.document_keys.end() ? number : key->second) + "|" +
                    str(v.struct_value(), "amountTiyn"));
    }
  }
  return out;
}

}  // namespace gridbill::faults
