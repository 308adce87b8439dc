#include "tools/gridbillctl/demo_load.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/csv.h"
#include "gridbill/server/proto_convert.h"
#include "tools/gridbillctl/batch.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/import_format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

struct PhaseResult {
  std::string name;
  int64_t items = 0;
  int64_t calls = 0;
  absl::Duration took;
  Tally tally;
};

class Loader {
 public:
  Loader(Context& ctx, const demo::DataSet& data, const DemoLoadOptions& options)
      : ctx_(ctx), client_(ctx.client()), data_(data), options_(options) {
    // A fixed principal: the service fingerprints retries with the caller, so
    // a second load by another user must present the same one to replay.
    operator_ = ctx.options().client.identity;
    operator_.principal = "demo.operator";
    operator_.participant.clear();
    prefix_ = absl::StrCat("demo:", data.options.seed, ":");
    app_prefix_ = absl::StrCat("demo:", data.options.seed, ":",
                               absl::FormatCivilTime(data.options.as_of), ":");
  }

  int Run() {
    const absl::Time start = absl::Now();
    if (!CheckVoltageLevels()) return kExitFailed;
    for (const auto& phase : data_.reference) LoadReference(phase);
    LoadParticipants();
    LoadContracts();
    LoadApplications();
    ChangeStatuses();
    const int contracts = Summary(absl::Now() - start);
    if (!options_.metering) return contracts;
    std::vector<std::string> ids;
    {
      absl::MutexLock lock(&mu_);
      ids = participant_ids_;
    }
    ctx_.out() << "\n";
    const int metering = LoadDemoMetering(ctx_, data_, ids, options_.metering_options, operator_);
    return contracts != kExitOk ? contracts : metering;
  }

 private:
  // Runs `fn` for every item of a phase with a progress bar.
  PhaseResult& Phase(const std::string& name, int64_t items,
                     const std::function<void(int64_t, PhaseResult&)>& fn) {
    results_.push_back(std::make_unique<PhaseResult>());
    PhaseResult& r = *results_.back();
    r.name = name;
    r.items = items;
    const absl::Time start = absl::Now();
    {
      Progress progress(name, items);
      ParallelFor(items, options_.parallel, [&](int64_t i) {
        fn(i, r);
        progress.Advance();
      });
    }
    r.took = absl::Now() - start;
    return r;
  }

  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(PhaseResult& r, Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& req, Response* resp, const Identity* as = nullptr) {
    grpc::Status st = client_.Call(stub, method, req, resp, as != nullptr ? as : &operator_, 6);
    {
      absl::MutexLock lock(&mu_);
      ++r.calls;
    }
    return st;
  }

  bool CheckVoltageLevels() {
    v1::ListReferenceRecordsRequest req;
    req.set_kind(v1::REFERENCE_KIND_VOLTAGE_LEVEL);
    v1::ListReferenceRecordsResponse resp;
    grpc::Status st =
        FetchList(client_, client_.reference(),
                  &v1::ReferenceDataService::Stub::ListReferenceRecords, req, true, &resp);
    if (!st.ok()) {
      ctx_.Fail(absl::StrCat("cannot read the voltage levels: ", Describe(st)));
      return false;
    }
    std::set<std::string> codes;
    for (const auto& r : resp.records()) codes.insert(r.code());
    std::vector<std::string> missing;
    for (const auto& vl : demo::SeededVoltageLevels()) {
      if (!codes.count(vl.code)) missing.push_back(vl.code);
    }
    if (!missing.empty()) {
      ctx_.Fail(absl::StrCat("the service has no VOLTAGE_LEVEL records with codes ",
                             absl::StrJoin(missing, ", "), " (it has ", absl::StrJoin(codes, ", "),
                             "); the demo data needs the levels the service seeds"));
      return false;
    }
    return true;
  }

  void LoadReference(const demo::ReferencePhase& phase) {
    Phase(absl::StrCat("reference: ", phase.name), static_cast<int64_t>(phase.records.size()),
          [&](int64_t i, PhaseResult& r) {
            const v1::ReferenceRecord& record = phase.records[static_cast<size_t>(i)];
            v1::CreateReferenceRecordRequest req;
            req.set_request_id(absl::StrCat(prefix_, "ref:", ShortName(record.kind()), ":",
                                            record.code(), ":", FormatDate(record.valid_from())));
            *req.mutable_record() = record;
            v1::CreateReferenceRecordResponse resp;
            const absl::Time start = absl::Now();
            grpc::Status st =
                Call(r, client_.reference(), &v1::ReferenceDataService::Stub::CreateReferenceRecord,
                     req, &resp);
            Record(r, i, st, resp.record().create_time(), start,
                   absl::StrCat(ShortName(record.kind()), " ", record.code()));
          });
  }

  void Record(PhaseResult& r, int64_t order, const grpc::Status& st,
              const google::protobuf::Timestamp& created, absl::Time start,
              const std::string& what) {
    const Outcome outcome = Classify(st, created, start);
    if (outcome == Outcome::kRejected) {
      r.tally.Reject(order, absl::StrCat(what, ": ", Describe(st)));
    } else {
      r.tally.Add(outcome);
    }
  }

  void LoadParticipants() {
    participant_ids_.assign(data_.participants.size(), "");
    Phase("participants", static_cast<int64_t>(data_.participants.size()),
          [&](int64_t i, PhaseResult& r) {
            const demo::DemoParticipant& dp = data_.participants[static_cast<size_t>(i)];
            v1::CreateParticipantRequest req;
            req.set_request_id(absl::StrCat(prefix_, "participant:", dp.key));
            *req.mutable_participant() = dp.participant;
            v1::CreateParticipantResponse resp;
            const absl::Time start = absl::Now();
            grpc::Status st = Call(r, client_.participants(),
                                   &v1::ParticipantService::Stub::CreateParticipant, req, &resp);
            std::string id = resp.participant().id();
            if (st.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
              // Registered by another request (e.g. an import): use that one.
              v1::ListParticipantsRequest find;
              find.set_bin(dp.participant.bin());
              v1::ListParticipantsResponse found;
              if (Call(r, client_.participants(), &v1::ParticipantService::Stub::ListParticipants,
                       find, &found)
                      .ok() &&
                  found.participants_size() == 1) {
                id = found.participants(0).id();
              }
            }
            Record(r, i, st, resp.participant().create_time(), start,
                   absl::StrCat(dp.key, " ", dp.participant.short_name()));
            absl::MutexLock lock(&mu_);
            participant_ids_[static_cast<size_t>(i)] = id;
          });
  }

  std::string ParticipantId(int index) {
    absl::MutexLock lock(&mu_);
    return index >= 0 ? participant_ids_[static_cast<size_t>(index)] : "";
  }

  void LoadContracts() {
    contract_ids_.assign(data_.contracts.size(), "");
    Phase(
        "contracts", static_cast<int64_t>(data_.contracts.size()), [&](int64_t i, PhaseResult& r) {
          const demo::DemoContract& dc = data_.contracts[static_cast<size_t>(i)];
          const std::string what = absl::StrCat("contract ", dc.contract.number());
          const std::string participant = ParticipantId(dc.participant);
          if (participant.empty()) {
            r.tally.Reject(i, absl::StrCat(what, ": its participant was not loaded"));
            return;
          }
          const std::string rid = absl::StrCat(prefix_, "contract:", dc.key);
          v1::CreateContractRequest req;
          req.set_request_id(rid);
          *req.mutable_contract() = dc.contract;
          req.mutable_contract()->set_participant_id(participant);
          v1::CreateContractResponse resp;
          const absl::Time start = absl::Now();
          grpc::Status st =
              Call(r, client_.contracts(), &v1::ContractService::Stub::CreateContract, req, &resp);
          Record(r, i, st, resp.contract().create_time(), start, what);
          if (!st.ok()) return;
          const std::string id = resp.contract().id();
          {
            absl::MutexLock lock(&mu_);
            contract_ids_[static_cast<size_t>(i)] = id;
          }
          for (size_t s = 0; s < dc.steps.size(); ++s) {
            const demo::ContractStep& step = dc.steps[s];
            const std::string step_rid = absl::StrCat(rid, ":", s + 1);
            grpc::Status sst;
            if (step.kind == demo::ContractStep::Kind::kTransition) {
              v1::TransitionContractRequest t;
              t.set_request_id(step_rid);
              t.set_id(id);
              t.set_target_state(step.to);
              t.set_reason(step.reason);
              v1::TransitionContractResponse tr;
              sst = Call(r, client_.contracts(), &v1::ContractService::Stub::TransitionContract, t,
                         &tr);
            } else {
              v1::UpdateContractRequest u;
              u.set_request_id(step_rid);
              *u.mutable_contract() = step.changes;
              u.mutable_contract()->set_id(id);
              u.mutable_contract()->set_participant_id(participant);
              for (const auto& path : step.mask) u.mutable_update_mask()->add_paths(path);
              u.set_reason(step.reason);
              u.set_amendment_number(step.amendment_number);
              *u.mutable_effective_date() = ToDate(step.effective_date);
              v1::UpdateContractResponse ur;
              sst =
                  Call(r, client_.contracts(), &v1::ContractService::Stub::UpdateContract, u, &ur);
            }
            if (!sst.ok()) {
              r.tally.Reject(i, absl::StrCat(what, " step ", s + 1, ": ", Describe(sst)), false);
              break;
            }
          }
        });
  }

  static common::v1::Date ToDate(absl::CivilDay d) {
    common::v1::Date out;
    out.set_year(static_cast<int32_t>(d.year()));
    out.set_month(d.month());
    out.set_day(d.day());
    return out;
  }

  void LoadApplications() {
    Phase("applications", static_cast<int64_t>(data_.applications.size()),
          [&](int64_t i, PhaseResult& r) {
            const demo::DemoApplication& da = data_.applications[static_cast<size_t>(i)];
            const std::string what = absl::StrCat("application ", da.key);
            const std::string participant = ParticipantId(da.participant);
            std::string contract;
            if (da.contract >= 0) {
              absl::MutexLock lock(&mu_);
              contract = contract_ids_[static_cast<size_t>(da.contract)];
            }
            if (participant.empty() || (da.contract >= 0 && contract.empty())) {
              r.tally.Reject(i, absl::StrCat(what, ": its participant or contract was not loaded"));
              return;
            }
            // Filed and submitted by the participant's user; reviewed by the operator.
            Identity user;
            user.principal = absl::StrCat(
                "user.", data_.participants[static_cast<size_t>(da.participant)].participant.bin());
            user.roles = "ROLE_PARTICIPANT_USER";
            user.participant = participant;
            const std::string rid = absl::StrCat(app_prefix_, "app:", da.key);
            v1::CreateApplicationRequest req;
            req.set_request_id(rid);
            *req.mutable_application() = da.application;
            req.mutable_application()->set_participant_id(participant);
            req.mutable_application()->set_contract_id(contract);
            v1::CreateApplicationResponse resp;
            const absl::Time start = absl::Now();
            grpc::Status st =
                Call(r, client_.applications(), &v1::ApplicationService::Stub::CreateApplication,
                     req, &resp, &user);
            Record(r, i, st, resp.application().create_time(), start, what);
            if (!st.ok()) return;
            for (size_t s = 0; s < da.steps.size(); ++s) {
              const demo::ApplicationStep& step = da.steps[s];
              v1::TransitionApplicationRequest t;
              t.set_request_id(absl::StrCat(rid, ":", s + 1));
              t.set_id(resp.application().id());
              t.set_target_state(step.to);
              t.set_resolution(step.resolution);
              v1::TransitionApplicationResponse tr;
              // Registered from paper by the operator, as received then,
              // when that was before the data set's as-of month; one of
              // that month is submitted by the user at load time. Decided
              // by the data set alone, not by the load's time, so that a
              // load repeated later sends the same requests (a request id
              // is never reused with another body).
              const absl::Time received = absl::FromCivil(da.received, DisplayZone());
              const absl::Time paper_until =
                  absl::FromCivil(absl::CivilDay(data_.options.as_of), DisplayZone());
              const bool from_paper =
                  step.to == v1::APPLICATION_STATE_SUBMITTED && received < paper_until;
              if (from_paper) *t.mutable_received_time() = ToProtoTime(received);
              const bool by_user = step.to == v1::APPLICATION_STATE_SUBMITTED && !from_paper;
              grpc::Status sst = Call(r, client_.applications(),
                                      &v1::ApplicationService::Stub::TransitionApplication, t, &tr,
                                      by_user ? &user : nullptr);
              if (!sst.ok()) {
                r.tally.Reject(i, absl::StrCat(what, " step ", s + 1, ": ", Describe(sst)), false);
                break;
              }
            }
          });
  }

  void ChangeStatuses() {
    std::vector<size_t> changed;
    for (size_t i = 0; i < data_.participants.size(); ++i) {
      if (data_.participants[i].final_status != v1::PARTICIPANT_STATUS_ACTIVE) changed.push_back(i);
    }
    Phase("participant statuses", static_cast<int64_t>(changed.size()),
          [&](int64_t k, PhaseResult& r) {
            const size_t i = changed[static_cast<size_t>(k)];
            const demo::DemoParticipant& dp = data_.participants[i];
            const std::string id = ParticipantId(static_cast<int>(i));
            const std::string what = absl::StrCat(dp.key, " ", dp.participant.short_name());
            if (id.empty()) {
              r.tally.Reject(k, absl::StrCat(what, ": not loaded"));
              return;
            }
            v1::UpdateParticipantRequest req;
            req.set_request_id(absl::StrCat(prefix_, "participant:", dp.key, ":status"));
            req.mutable_participant()->set_id(id);
            req.mutable_participant()->set_status(dp.final_status);
            req.mutable_update_mask()->add_paths("status");
            req.set_reason(dp.status_reason);
            v1::UpdateParticipantResponse resp;
            const absl::Time start = absl::Now();
            grpc::Status st = Call(r, client_.participants(),
                                   &v1::ParticipantService::Stub::UpdateParticipant, req, &resp);
            // The change is as new as the participant's last update.
            Record(r, k, st, resp.participant().update_time(), start, what);
          });
  }

  int Summary(absl::Duration took) {
    Table t({{"PHASE"},
             {"ITEMS", Table::Align::kRight},
             {"CREATED", Table::Align::kRight},
             {"ALREADY THERE", Table::Align::kRight},
             {"REJECTED", Table::Align::kRight},
             {"CALLS", Table::Align::kRight},
             {"TIME", Table::Align::kRight}});
    int64_t rejected = 0, calls = 0;
    std::vector<std::string> failures;
    for (const auto& r : results_) {
      t.AddRow({r->name, GroupDigits(r->items), GroupDigits(r->tally.created()),
                GroupDigits(r->tally.replayed() + r->tally.existing()),
                GroupDigits(r->tally.rejected()), GroupDigits(r->calls),
                absl::StrFormat("%.1fs", absl::ToDoubleSeconds(r->took))});
      rejected += r->tally.rejected();
      calls += r->calls;
      for (auto& f : r->tally.Failures()) failures.push_back(std::move(f));
    }
    ctx_.out() << "demo data set, seed " << data_.options.seed << ", applications up to "
               << absl::FormatCivilTime(data_.options.as_of) << "\n"
               << t.Render() << "\n"
               << absl::StrFormat("%s calls in %.1f s (%.0f calls/s), %d in parallel\n",
                                  GroupDigits(calls), absl::ToDoubleSeconds(took),
                                  calls / std::max(absl::ToDoubleSeconds(took), 1e-3),
                                  options_.parallel);
    if (!failures.empty()) {
      ctx_.out() << "\nproblems (" << failures.size() << "):\n";
      const size_t shown = std::min<size_t>(failures.size(), 30);
      for (size_t i = 0; i < shown; ++i) ctx_.out() << "  " << failures[i] << "\n";
      if (shown < failures.size())
        ctx_.out() << "  ... and " << failures.size() - shown << " more\n";
    }
    return rejected == 0 && failures.empty() ? kExitOk : kExitFailed;
  }

  Context& ctx_;
  const Client& client_;
  const demo::DataSet& data_;
  const DemoLoadOptions options_;
  Identity operator_;
  std::string prefix_;
  std::string app_prefix_;
  std::vector<std::unique_ptr<PhaseResult>> results_;
  absl::Mutex mu_;
  std::vector<std::string> participant_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> contract_ids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

int LoadDemo(Context& ctx, const demo::DataSet& data, const DemoLoadOptions& options) {
  return Loader(ctx, data, options).Run();
}

absl::Status WriteDemoCsv(const demo::DataSet& data, const std::string& dir, std::ostream& out) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const std::string reference_path = (std::filesystem::path(dir) / "reference.csv").string();
  const std::string participants_path = (std::filesystem::path(dir) / "participants.csv").string();

  std::ofstream ref(reference_path, std::ios::binary);
  ref << CsvLine(ReferenceColumns());
  int64_t records = 0;
  for (const auto& phase : data.reference) {
    for (const auto& r : phase.records) {
      ref << CsvLine(ReferenceCsvFields(r));
      ++records;
    }
  }
  ref.close();
  if (!ref) return absl::InternalError(absl::StrCat("cannot write ", reference_path));

  std::ofstream parts(participants_path, std::ios::binary);
  parts << CsvLine(ParticipantColumns());
  int64_t written = 0, left_out = 0;
  for (const auto& p : data.participants) {
    if (p.final_status == v1::PARTICIPANT_STATUS_TERMINATED) {
      ++left_out;
      continue;
    }
    v1::Participant copy = p.participant;
    copy.set_status(p.final_status);
    parts << CsvLine(ParticipantCsvFields(copy));
    ++written;
  }
  parts.close();
  if (!parts) return absl::InternalError(absl::StrCat("cannot write ", participants_path));
  out << "wrote " << reference_path << " (" << GroupDigits(records) << " records)\n"
      << "wrote " << participants_path << " (" << written << " participants; " << left_out
      << " terminated ones left out: a participant cannot be registered as terminated)\n"
      << "import them in this order: gridbillctl import reference " << reference_path
      << " && gridbillctl import participants " << participants_path << "\n";
  return absl::OkStatus();
}

}  // namespace gridbill::ctl
