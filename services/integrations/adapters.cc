#include "adapters.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "documents.h"
#include "gridbill/base/log.h"

namespace gridbill::integrations {

void Adapters::AddOutbound(std::string name, std::unique_ptr<Receiver> receiver, bool documents) {
  outbound_.push_back({std::move(name), std::move(receiver), documents});
}

void Adapters::AddInbound(std::string name, std::string dir, std::unique_ptr<FileHandler> handler,
                          bool report) {
  Inbound in{name, std::move(handler), nullptr};
  in.folder = std::make_unique<InboundFolder>(name, std::move(dir), *in.handler, store_, clock_);
  in.folder->ReportProblems(report);
  inbound_.push_back(std::move(in));
}

void Adapters::AddPeriodic(std::string name, absl::Duration every,
                           std::function<absl::StatusOr<int>()> pass) {
  periodic_.push_back({std::move(name), every, std::move(pass)});
}

bool Adapters::Wait(bool more_work, absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  if (!more_work) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait == absl::ZeroDuration() ? poll_ : wait);
  }
  return !stopping_;
}

void Adapters::Loop(const char* what, const std::string& name,
                    absl::FunctionRef<absl::StatusOr<int>()> pass, absl::Duration every) {
  std::string last_error;
  bool more = false;
  bool first = every != absl::ZeroDuration();  // a periodic pass runs at once
  while (first || Wait(more, every)) {
    first = false;
    absl::StatusOr<int> n = pass();
    more = n.ok() && *n > 0;
    if (!n.ok()) {
      const std::string error(n.status().message());
      if (error != last_error) {
        LogJson("warn", absl::StrCat(what, " failed"), {{"adapter", name}, {"error", error}});
      }
      last_error = error;
      (void)store_.RecordAttempt(name, false, error, clock_.Now());
    } else {
      last_error.clear();
    }
  }
}

void Adapters::Start() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
  }
  std::vector<std::string> names;
  for (const Outbound& o : outbound_) {
    if (o.documents) names.push_back(o.name);
  }
  names.insert(names.end(), consumers_.begin(), consumers_.end());
  if (!names.empty() && suite_ != nullptr) {
    threads_.emplace_back([this, names] {
      Loop("document feed", kDocumentsFeed, [&]() -> absl::StatusOr<int> {
        absl::StatusOr<int> n = PumpDocuments(store_, *suite_, names, clock_.Now());
        // New facts are delivered by the adapters' own threads: no hurry here.
        if (n.ok()) return 0;
        return n;
      });
    });
  }
  for (Outbound& o : outbound_) {
    threads_.emplace_back([this, &o] {
      Loop("delivery", o.name,
           [&]() -> absl::StatusOr<int> { return outbox_.DeliverDue(o.name, *o.receiver, 50); });
    });
  }
  for (Periodic& p : periodic_) {
    threads_.emplace_back([this, &p] {
      Loop(
          "periodic pass", p.name,
          [&]() -> absl::StatusOr<int> {
            absl::StatusOr<int> n = p.pass();
            if (n.ok()) return 0;  // never "more work at once": the next pass is a period away
            return n;
          },
          p.every);
    });
  }
  for (Inbound& in : inbound_) {
    threads_.emplace_back([this, &in] {
      Loop("inbound scan", in.name, [&]() -> absl::StatusOr<int> { return in.folder->Scan(); });
    });
  }
}

void Adapters::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

absl::StatusOr<std::vector<AdapterStatusRow>> Adapters::Status() {
  absl::StatusOr<std::vector<AdapterCounts>> counts = store_.Counts();
  if (!counts.ok()) return counts.status();
  std::map<std::string, AdapterStatusRow> by;
  for (const Outbound& o : outbound_) by[o.name] = {o.name, false, true, {}};
  for (const std::string& c : consumers_) by[c] = {c, false, true, {}};
  for (const Inbound& in : inbound_) {
    AdapterStatusRow row{in.name, true, true, {}};
    by[in.name] = row;
  }
  for (AdapterCounts& c : *counts) {
    AdapterStatusRow& row = by[c.adapter];
    row.name = c.adapter;
    if (c.adapter == kDocumentsFeed) row.enabled = true;
    row.counts = std::move(c);
  }
  for (const Inbound& in : inbound_) by[in.name].counts.pending = in.folder->backlog();
  std::vector<AdapterStatusRow> out;
  for (auto& [name, row] : by) {
    row.counts.adapter = name;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace gridbill::integrations
