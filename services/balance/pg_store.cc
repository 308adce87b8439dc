#include "pg_store.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "gridbill/pg/connection.h"
#include "gridbill/pg/copy.h"
#include "gridbill/pg/errors.h"
#include "gridbill/pg/params.h"
#include "percent.h"
#include "queries.h"

namespace gridbill::balance {
namespace {

namespace q = queries;

// The libs/jobs claim a shard's claim is.
jobs::Claim ClaimOf(const Shard& shard) {
  jobs::Claim c;
  c.job_id = absl::StrCat(shard.run_id);
  c.kind = kRunJobKind;
  c.piece_no = shard.shard_no;
  c.epoch = shard.epoch;
  c.piece.units = 1;
  return c;
}

std::string PeriodDate(const BillingPeriod& p) { return FormatDate(p.first_day()); }

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(const pg::Row& row,
                                                          std::string_view col) {
  if (row.IsNull(col) || row.Text(col) == "infinity") return std::nullopt;
  return row.Date(col);
}

absl::StatusOr<Scheme> ReadScheme(const pg::Row& row) {
  Scheme s;
  s.id = row.Int("id");
  s.kind = static_cast<SchemeKind>(row.Int("kind"));
  s.participant_id = row.String("participant_id");
  s.service_type = static_cast<int>(row.Int("service_type"));
  s.node_code = row.String("node_code");
  s.name = row.String("name");
  const std::vector<std::string> points = row.TextArray("term_points");
  const std::vector<std::string> channels = row.TextArray("term_channels");
  const std::vector<std::string> roles = row.TextArray("term_roles");
  if (points.size() != channels.size() || points.size() != roles.size()) {
    return absl::InternalError(absl::StrCat("scheme ", s.id, ": stored terms are inconsistent"));
  }
  for (size_t i = 0; i < points.size(); ++i) {
    s.terms.push_back(Term{points[i], std::atoi(channels[i].c_str()),
                           static_cast<TermRole>(std::atoi(roles[i].c_str()))});
  }
  s.valid_from = row.Date("valid_from");
  ASSIGN_OR_RETURN(s.valid_to, OptionalDay(row, "valid_to"));
  s.normative_loss_percent = row.String("normative_loss_percent");
  s.version = row.Int("version");
  s.created_by = row.String("created_by");
  s.create_time = row.Time("create_time");
  s.reason = row.String("reason");
  return s;
}

absl::StatusOr<std::vector<Scheme>> ReadSchemes(const pg::Result& res) {
  std::vector<Scheme> out;
  out.reserve(static_cast<size_t>(res.size()));
  for (pg::Row row : res) {
    ASSIGN_OR_RETURN(Scheme s, ReadScheme(row));
    out.push_back(std::move(s));
  }
  return out;
}

Quality ReadQuality(const pg::Row& row) {
  return Quality{row.Int("intervals"), row.Int("estimated"), row.Int("missing")};
}

// An hour as a key column: PostgreSQL parses RFC 3339 back into the same
// timestamptz.
std::string TimeKey(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

Run ReadRun(const pg::Row& row) {
  Run r;
  r.id = row.Int("id");
  r.period = BillingPeriod::Of(row.Date("period"));
  r.type = static_cast<RunType>(row.Int("type"));
  r.correction_number = static_cast<int>(row.Int("correction_number"));
  r.state = static_cast<RunState>(row.Int("state"));
  r.done = row.Int("done");
  r.total = row.Int("total");
  r.create_time = row.Time("create_time");
  r.start_time = row.OptionalTime("start_time");
  r.finish_time = row.OptionalTime("finish_time");
  r.summary_text = row.String("summary_text");
  r.error = row.String("error");
  r.base_run_id = row.Int("base_run_id");
  r.created_by = row.String("created_by");
  r.request_id = row.String("request_id");
  r.readings_as_of = row.Time("readings_as_of");
  r.computed_until = row.Time("computed_until");
  r.time_zone = row.String("time_zone");
  r.closure_tolerance_percent = row.String("closure_tolerance_percent");
  r.summary.service_hours = row.Int("service_hours");
  r.summary.node_hours = row.Int("node_hours");
  r.summary.hours = row.Int("hours");
  r.summary.point_days = row.Int("point_days");
  r.summary.quality = ReadQuality(row);
  r.summary.closure.supply_wh = row.Int("supply_wh");
  r.summary.closure.consumption_wh = row.Int("consumption_wh");
  r.summary.closure.node_losses_wh = row.Int("node_losses_wh");
  r.summary.closed = row.Bool("closed");
  r.summary.closure_checked = row.Bool("closure_checked");
  return r;
}

}  // namespace

// --- schemes ---------------------------------------------------------------

absl::StatusOr<Scheme> PgStore::InsertScheme(const Scheme& scheme) {
  return pool_.TransactValue<Scheme>([&](pg::Transaction& tx) -> absl::StatusOr<Scheme> {
    const std::string subject = scheme.Subject();
    RETURN_IF_ERROR(tx.Exec(q::kLockSubject, subject).status());
    ASSIGN_OR_RETURN(pg::Result overlap, tx.Exec(q::kFindOverlap, subject, scheme.valid_from,
                                                 scheme.valid_to, int64_t{0}));
    if (!overlap.empty()) {
      const pg::Row o = overlap[0];
      return FailedPrecondition(
          "scheme.valid_from",
          absl::StrCat("overlaps version ", o.Int("version"), " (scheme ", o.Int("id"), ", valid ",
                       o.String("valid_from"), " to ",
                       o.IsNull("valid_to") ? "open end" : o.String("valid_to"),
                       ") of the same subject; close it first (CloseScheme)"));
    }
    ASSIGN_OR_RETURN(pg::Result ver, tx.Exec(q::kNextVersion, subject));
    Scheme out = scheme;
    out.version = ver[0].Int("version");
    std::vector<std::string> points;
    std::vector<int64_t> channels, roles;
    for (const Term& t : scheme.terms) {
      points.push_back(t.point_code);
      channels.push_back(t.channel);
      roles.push_back(static_cast<int64_t>(t.role));
    }
    pg::Params p;
    p.Add(subject)
        .Add(static_cast<int>(scheme.kind))
        .Add(scheme.participant_id)
        .Add(scheme.service_type)
        .Add(scheme.node_code)
        .Add(scheme.name)
        .AddTextArray(points)
        .AddIntArray(channels)
        .AddIntArray(roles)
        .Add(scheme.valid_from)
        .Add(scheme.valid_to)
        .Add(scheme.normative_loss_percent)
        .Add(out.version)
        .Add(scheme.created_by)
        .Add(scheme.create_time)
        .Add(scheme.reason);
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertScheme, p));
    out.id = res[0].Int("id");
    return out;
  });
}

absl::StatusOr<Scheme> PgStore::CloseScheme(int64_t id, absl::CivilDay valid_to,
                                            const std::string& reason) {
  return pool_.TransactValue<Scheme>([&](pg::Transaction& tx) -> absl::StatusOr<Scheme> {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kGetSchemeForUpdate, id));
    if (res.empty()) return NotFound("scheme", absl::StrCat(id));
    ASSIGN_OR_RETURN(Scheme s, ReadScheme(res[0]));
    if (valid_to < s.valid_from) {
      return InvalidField(
          "valid_to", absl::StrCat("before the version's valid_from ", FormatDate(s.valid_from)));
    }
    if (s.valid_to && valid_to > *s.valid_to) {
      return InvalidField(
          "valid_to", absl::StrCat("after the version's current valid_to ", FormatDate(*s.valid_to),
                                   "; a version is only shortened"));
    }
    RETURN_IF_ERROR(tx.Exec(q::kCloseScheme, id, valid_to, reason).status());
    s.valid_to = valid_to;
    s.reason = reason;
    return s;
  });
}

absl::StatusOr<Scheme> PgStore::GetScheme(int64_t id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetScheme, id));
  if (res.empty()) return NotFound("scheme", absl::StrCat(id));
  return ReadScheme(res[0]);
}

absl::StatusOr<std::vector<Scheme>> PgStore::GetSchemes(const std::vector<int64_t>& ids) {
  pg::Params p;
  p.AddIntArray(ids);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kGetSchemes, p));
  return ReadSchemes(res);
}

absl::StatusOr<paging::PageOf<Scheme>> PgStore::ListSchemes(const SchemeFilter& f,
                                                            const paging::Page& page) {
  pg::Params p;
  p.Add(f.kind).Add(f.participant_id).Add(f.service_type).Add(f.node_code);
  if (f.period) {
    p.Add(f.period->first_day()).Add(f.period->last_day());
  } else {
    p.Add(std::nullopt).Add(std::nullopt);
  }
  p.Add(page.After(0)).Add(page.After(1)).Add(page.After(2)).Add(page.size + 1);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kListSchemes, p));
  ASSIGN_OR_RETURN(std::vector<Scheme> items, ReadSchemes(res));
  return paging::CutPage(std::move(items), page, [](const Scheme& s) {
    return paging::PageKey{s.Subject(), FormatDate(s.valid_from), absl::StrCat(s.id)};
  });
}

absl::StatusOr<std::vector<Scheme>> PgStore::SchemesValidIn(absl::CivilDay from,
                                                            absl::CivilDay to) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kSchemesValidIn, from, to));
  return ReadSchemes(res);
}

// --- runs ------------------------------------------------------------------

absl::StatusOr<Run> PgStore::ReadRunInputs(pg::Transaction& tx, Run run) {
  ASSIGN_OR_RETURN(pg::Result schemes, tx.Exec(q::kRunSchemes, run.id));
  for (pg::Row row : schemes) {
    run.scheme_ids.push_back(row.Int("scheme_id"));
    run.scheme_versions.push_back(row.Int("version"));
    ASSIGN_OR_RETURN(std::optional<absl::CivilDay> to, OptionalDay(row, "valid_to"));
    run.scheme_valid_to.push_back(to);
  }
  ASSIGN_OR_RETURN(pg::Result declared, tx.Exec(q::kRunDeclared, run.id));
  for (pg::Row row : declared) {
    run.declared.push_back(DeclaredVolume{row.String("participant_id"),
                                          static_cast<int>(row.Int("service_type")),
                                          row.Int("volume_wh"), row.String("application_id")});
  }
  return run;
}

absl::StatusOr<Run> PgStore::InsertRun(const Run& run, const std::vector<Shard>& shards) {
  absl::StatusOr<Run> out = pool_.TransactValue<Run>([&](pg::Transaction& tx)
                                                         -> absl::StatusOr<Run> {
    pg::Params p;
    p.Add(PeriodDate(run.period))
        .Add(static_cast<int>(run.type))
        .Add(run.correction_number)
        .Add(static_cast<int64_t>(shards.size()))
        .Add(run.create_time)
        .Add(run.base_run_id)
        .Add(run.created_by)
        .Add(run.request_id)
        .Add(run.readings_as_of)
        .Add(run.computed_until)
        .Add(run.time_zone)
        .Add(run.closure_tolerance_percent)
        .Add(run.summary.hours);
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertRun, p));
    const int64_t id = res[0].Int("id");
    // The versions' last days as the run uses them (see run_schemes.valid_to).
    std::vector<std::string> valid_to;
    for (const std::optional<absl::CivilDay>& to : run.scheme_valid_to) {
      valid_to.push_back(to ? FormatDate(*to) : "infinity");
    }
    if (valid_to.size() != run.scheme_ids.size() ||
        run.scheme_versions.size() != run.scheme_ids.size()) {
      return absl::InternalError("run inputs: scheme ids, versions and last days differ");
    }
    pg::Params rs;
    rs.Add(id).AddIntArray(run.scheme_ids).AddIntArray(run.scheme_versions).AddTextArray(valid_to);
    RETURN_IF_ERROR(tx.Execute(q::kInsertRunSchemes, rs).status());
    if (!run.declared.empty()) {
      std::vector<std::string> participants, apps;
      std::vector<int64_t> services, volumes;
      for (const DeclaredVolume& d : run.declared) {
        participants.push_back(d.participant_id);
        services.push_back(d.service_type);
        volumes.push_back(d.volume_wh);
        apps.push_back(d.application_id);
      }
      pg::Params dp;
      dp.Add(id)
          .AddTextArray(participants)
          .AddIntArray(services)
          .AddIntArray(volumes)
          .AddTextArray(apps);
      RETURN_IF_ERROR(tx.Execute(q::kInsertRunDeclared, dp).status());
    }
    for (const Shard& s : shards) {
      pg::Params shp;
      shp.Add(id).Add(s.shard_no).AddIntArray(s.scheme_ids).AddTextArray(s.closure_terms);
      RETURN_IF_ERROR(tx.Execute(q::kInsertShard, shp).status());
    }
    // The run's job, split into its shards at once (piece n = shard n).
    RETURN_IF_ERROR(jobs::PgJobs::InsertSplit(tx, absl::StrCat(id), kRunJobKind,
                                              std::vector<jobs::PieceSpec>(shards.size()),
                                              run.create_time));
    ASSIGN_OR_RETURN(pg::Result got, tx.Exec(q::kGetRun, id));
    return ReadRunInputs(tx, ReadRun(got[0]));
  });
  if (!out.ok()) {
    const std::string constraint = pg::ConstraintOf(out.status());
    if (constraint == "runs_one_final") {
      return FailedPrecondition("type", absl::StrCat("a final run of ", run.period.ToString(),
                                                     " is already pending, running or done; "
                                                     "start a correction run instead"));
    }
    if (constraint == "runs_correction_number") {
      return FailedPrecondition("type", absl::StrCat("a correction run of ", run.period.ToString(),
                                                     " was started at the same time; retry"));
    }
  }
  return out;
}

absl::StatusOr<Run> PgStore::GetRun(int64_t id) {
  return pool_.TransactValue<Run>([&](pg::Transaction& tx) -> absl::StatusOr<Run> {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kGetRun, id));
    if (res.empty()) return NotFound("balance run", absl::StrCat(id));
    return ReadRunInputs(tx, ReadRun(res[0]));
  });
}

absl::StatusOr<paging::PageOf<Run>> PgStore::ListRuns(const RunFilter& f,
                                                      const paging::Page& page) {
  pg::Params p;
  if (f.period) {
    p.Add(PeriodDate(*f.period));
  } else {
    p.Add(std::nullopt);
  }
  p.Add(f.type).Add(page.After(0)).Add(page.size + 1);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kListRuns, p));
  std::vector<Run> runs;
  for (pg::Row row : res) runs.push_back(ReadRun(row));
  return paging::CutPage(std::move(runs), page,
                         [](const Run& r) { return paging::PageKey{absl::StrCat(r.id)}; });
}

absl::StatusOr<paging::PageOf<Run>> PgStore::RunChanges(const RunFilter& f,
                                                        const paging::Page& page) {
  pg::Params p;
  if (f.period) {
    p.Add(PeriodDate(*f.period));
  } else {
    p.Add(std::nullopt);
  }
  p.Add(f.type).Add(page.After(0)).Add(page.After(1)).Add(page.size);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kRunChanges, p));
  paging::PageOf<Run> out;
  for (pg::Row row : res) out.items.push_back(ReadRun(row));
  if (!res.empty()) {
    const pg::Row last = res[res.size() - 1];
    out.next = {last.String("change_xid"), absl::StrCat(last.Int("change_seq"))};
  }
  return out;
}

absl::StatusOr<std::optional<Run>> PgStore::BillingRun(const BillingPeriod& period) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kBillingRun, PeriodDate(period)));
  if (res.empty()) return std::nullopt;
  return GetRun(res[0].Int("id"));
}

absl::StatusOr<int> PgStore::LastCorrection(const BillingPeriod& period) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kLastCorrection, PeriodDate(period)));
  return static_cast<int>(res[0].Int("correction_number"));
}

absl::StatusOr<Run> PgStore::CancelRun(int64_t id, absl::Time now) {
  RETURN_IF_ERROR(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result st, tx.Exec(q::kLockRun, id));
    if (st.empty()) return NotFound("balance run", absl::StrCat(id));
    const auto state = static_cast<RunState>(st[0].Int("state"));
    if (state != RunState::kPending && state != RunState::kRunning) return absl::OkStatus();
    RETURN_IF_ERROR(tx.Exec(q::kDeleteServiceHours, id).status());
    RETURN_IF_ERROR(tx.Exec(q::kDeleteNodeHours, id).status());
    RETURN_IF_ERROR(tx.Exec(q::kDeletePointDays, id).status());
    RETURN_IF_ERROR(tx.Exec(q::kCancelRun, id, now).status());
    return jobs::PgJobs::Cancel(tx, absl::StrCat(id), now).status();
  }));
  return GetRun(id);
}

// --- work ------------------------------------------------------------------

absl::StatusOr<std::optional<Shard>> PgStore::ClaimShard(const std::string& worker, absl::Time now,
                                                         absl::Time stale_before) {
  ASSIGN_OR_RETURN(std::optional<jobs::Claim> claim,
                   jobs_.ClaimPiece(worker, now, stale_before, {kRunJobKind}, ""));
  if (!claim) return std::optional<Shard>();
  Shard s;
  if (!absl::SimpleAtoi(claim->job_id, &s.run_id)) {
    return absl::InternalError(absl::StrCat("job ", claim->job_id, " is not a balance run"));
  }
  s.shard_no = claim->piece_no;
  s.epoch = claim->epoch;
  s.taken_over_from = claim->taken_over_from;
  RETURN_IF_ERROR(OpenShard(s, now));
  return std::optional<Shard>(std::move(s));
}

absl::Status PgStore::OpenShard(Shard& s, absl::Time now) {
  return pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kGetShard, s.run_id, s.shard_no));
    if (res.empty()) return NotFound("balance run shard", absl::StrCat(s.run_id, "/", s.shard_no));
    s.scheme_ids.clear();
    for (const std::string& id : res[0].TextArray("scheme_ids"))
      s.scheme_ids.push_back(std::stoll(id));
    s.closure_terms = res[0].TextArray("closure_terms");
    return tx.Exec(q::kMarkRunning, s.run_id, now).status();
  });
}

absl::StatusOr<bool> PgStore::RenewShard(const Shard& shard, absl::Time now) {
  return jobs_.Renew(ClaimOf(shard), now);
}

absl::StatusOr<ShardCompletion> PgStore::CompleteShard(const Shard& shard, const ShardResult& r,
                                                       absl::Time now) {
  auto complete = [&](pg::Transaction& tx) -> absl::StatusOr<ShardCompletion> {
    // The run row's lock orders the completions of one run's shards, so
    // exactly one of them sees the last shard done and completes the run.
    ASSIGN_OR_RETURN(pg::Result st, tx.Exec(q::kLockRun, shard.run_id));
    if (st.empty()) return NotFound("balance run", absl::StrCat(shard.run_id));
    if (static_cast<RunState>(st[0].Int("state")) != RunState::kRunning) {
      return ShardCompletion::kDiscarded;
    }
    // Done by another worker, or claimed again after this claim's lease expired:
    // the current holder stores the shard, this one must not.
    const jobs::Claim claim = ClaimOf(shard);
    ASSIGN_OR_RETURN(bool held, jobs::PgJobs::FencePiece(tx, claim));
    if (!held) return ShardCompletion::kDiscarded;

    std::string data;
    data.reserve(r.service_hours.size() * 96);
    for (const ServiceHour& h : r.service_hours) {
      pg::CopyRow(data)
          .Int(shard.run_id)
          .Text(h.participant_id)
          .Int(h.service_type)
          .Time(h.hour_start)
          .Int(h.actual_wh)
          .Int(h.declared_wh)
          .Bool(h.has_declaration)
          .Int(h.quality.intervals)
          .Int(h.quality.estimated)
          .Int(h.quality.missing);
    }
    RETURN_IF_ERROR(pg::CopyRows(tx, q::kCopyServiceHours, data, std::ssize(r.service_hours)));
    data.clear();
    int64_t node_losses = 0;
    for (const NodeHour& h : r.node_hours) {
      if (h.kind == SchemeKind::kNode) node_losses += h.inflow_wh - h.outflow_wh;
      pg::CopyRow(data)
          .Int(shard.run_id)
          .Text(h.node_code)
          .Int(static_cast<int>(h.kind))
          .Time(h.hour_start)
          .Int(h.inflow_wh)
          .Int(h.outflow_wh)
          .Text(h.normative_loss_percent)
          .Int(h.quality.intervals)
          .Int(h.quality.estimated)
          .Int(h.quality.missing)
          .Int(h.generation_wh)
          .Int(h.consumption_wh);
    }
    RETURN_IF_ERROR(pg::CopyRows(tx, q::kCopyNodeHours, data, std::ssize(r.node_hours)));
    data.clear();
    for (const PointDayRevision& d : r.revisions) {
      pg::CopyRow(data)
          .Int(shard.run_id)
          .Text(d.point_code)
          .Int(d.channel)
          .Day(d.day)
          .Int(d.revision);
    }
    RETURN_IF_ERROR(pg::CopyRows(tx, q::kCopyPointDays, data, std::ssize(r.revisions)));

    pg::Params fp;
    fp.Add(shard.run_id)
        .Add(shard.shard_no)
        .Add(r.supply_wh)
        .Add(r.consumption_wh)
        .Add(r.point_days)
        .Add(r.quality.intervals)
        .Add(r.quality.estimated)
        .Add(r.quality.missing);
    RETURN_IF_ERROR(tx.Execute(q::kFinishShard, fp).status());
    pg::Params pp;
    pp.Add(shard.run_id)
        .Add(static_cast<int64_t>(r.service_hours.size()))
        .Add(static_cast<int64_t>(r.node_hours.size()))
        .Add(r.point_days)
        .Add(r.quality.intervals)
        .Add(r.quality.estimated)
        .Add(r.quality.missing)
        .Add(r.supply_wh)
        .Add(r.consumption_wh)
        .Add(node_losses);
    ASSIGN_OR_RETURN(pg::Result prog, tx.Execute(q::kAddProgress, pp));
    RETURN_IF_ERROR(jobs::PgJobs::CompletePiece(tx, claim, "", now).status());
    const pg::Row row = prog[0];
    if (row.Int("done") < row.Int("total")) return ShardCompletion::kStored;
    Closure c{row.Int("supply_wh"), row.Int("consumption_wh"), row.Int("node_losses_wh")};
    ASSIGN_OR_RETURN(pg::Result nodes, tx.Exec(q::kRunHasNodes, shard.run_id));
    const bool checked = nodes[0].Bool("has_nodes");
    bool closed = false;
    if (checked) {
      ASSIGN_OR_RETURN(closed, ClosureHolds(c, row.String("closure_tolerance_percent")));
    }
    const std::string summary =
        checked
            ? absl::StrCat("grid closure ", closed ? "holds" : "FAILS", ": supply ", c.supply_wh,
                           " Wh, consumption ", c.consumption_wh, " Wh, node losses ",
                           c.node_losses_wh, " Wh, residual ", c.residual(), " Wh")
            : absl::StrCat("grid closure not checked: the run has no node scheme (supply ",
                           c.supply_wh, " Wh, consumption ", c.consumption_wh, " Wh)");
    RETURN_IF_ERROR(tx.Exec(q::kFinishRun, shard.run_id, now, closed, summary).status());
    RETURN_IF_ERROR(jobs::PgJobs::Finish(tx, claim.job_id, summary, now).status());
    return ShardCompletion::kRunCompleted;
  };
  absl::StatusOr<ShardCompletion> done = pool_.TransactValue<ShardCompletion>(complete);
  // Taken over after the fence: rolled back, the new holder stores the shard.
  if (!done.ok() && jobs::PgJobs::IsClaimLost(done.status())) return ShardCompletion::kDiscarded;
  return done;
}

absl::StatusOr<bool> PgStore::FailRun(int64_t id, const std::string& error, absl::Time now) {
  return pool_.TransactValue<bool>([&](pg::Transaction& tx) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kFailRun, id, error, now));
    RETURN_IF_ERROR(jobs::PgJobs::Fail(tx, absl::StrCat(id), error, now).status());
    return res.affected() > 0;
  });
}

absl::StatusOr<std::optional<absl::Time>> PgStore::OldestClaim() {
  return jobs_.OldestClaim({kRunJobKind});
}

absl::StatusOr<RunState> PgStore::RunStateOf(int64_t id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kRunState, id));
  if (res.empty()) return NotFound("balance run", absl::StrCat(id));
  return static_cast<RunState>(res[0].Int("state"));
}

// --- results ---------------------------------------------------------------

absl::StatusOr<paging::PageOf<ServiceHour>> PgStore::ListServiceHours(
    int64_t run_id, const std::string& participant_id, int service_type, const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kListServiceHours, run_id, participant_id, service_type,
                              page.After(0), page.After(1), page.After(2), page.size + 1));
  std::vector<ServiceHour> hours;
  hours.reserve(static_cast<size_t>(res.size()));
  for (pg::Row row : res) {
    ServiceHour h;
    h.participant_id = row.String("participant_id");
    h.service_type = static_cast<int>(row.Int("service_type"));
    h.hour_start = row.Time("hour_start");
    h.actual_wh = row.Int("actual_wh");
    h.declared_wh = row.Int("declared_wh");
    h.has_declaration = row.Bool("has_declaration");
    h.quality = ReadQuality(row);
    hours.push_back(std::move(h));
  }
  return paging::CutPage(std::move(hours), page, [](const ServiceHour& h) {
    return paging::PageKey{h.participant_id, absl::StrCat(h.service_type), TimeKey(h.hour_start)};
  });
}

absl::StatusOr<paging::PageOf<NodeHour>> PgStore::ListNodeHours(int64_t run_id,
                                                                const std::string& node_code,
                                                                const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListNodeHours, run_id, node_code, page.After(0),
                                              page.After(1), page.size + 1));
  std::vector<NodeHour> hours;
  for (pg::Row row : res) {
    NodeHour h;
    h.node_code = row.String("node_code");
    h.kind = static_cast<SchemeKind>(row.Int("kind"));
    h.hour_start = row.Time("hour_start");
    h.inflow_wh = row.Int("inflow_wh");
    h.outflow_wh = row.Int("outflow_wh");
    h.generation_wh = row.Int("generation_wh");
    h.consumption_wh = row.Int("consumption_wh");
    h.normative_loss_percent = row.String("normative_loss_percent");
    h.quality = ReadQuality(row);
    hours.push_back(std::move(h));
  }
  return paging::CutPage(std::move(hours), page, [](const NodeHour& h) {
    return paging::PageKey{h.node_code, TimeKey(h.hour_start)};
  });
}

absl::StatusOr<paging::PageOf<ServiceTotal>> PgStore::ServiceTotals(
    int64_t run_id, const std::string& participant_id, const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kServiceTotals, run_id, participant_id,
                                              page.After(0), page.After(1), page.size + 1));
  std::vector<ServiceTotal> out;
  for (pg::Row row : res) {
    ServiceTotal t;
    t.participant_id = row.String("participant_id");
    t.service_type = static_cast<int>(row.Int("service_type"));
    t.actual_wh = row.Int("actual_wh");
    t.declared_wh = row.Int("declared_wh");
    t.has_declaration = row.Bool("has_declaration");
    t.hours = row.Int("hours");
    t.quality = ReadQuality(row);
    out.push_back(std::move(t));
  }
  return paging::CutPage(std::move(out), page, [](const ServiceTotal& t) {
    return paging::PageKey{t.participant_id, absl::StrCat(t.service_type)};
  });
}

absl::StatusOr<paging::PageOf<NodeTotal>> PgStore::NodeTotals(int64_t run_id,
                                                              const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kNodeTotals, run_id, page.After(0), page.size + 1));
  std::vector<NodeTotal> out;
  for (pg::Row row : res) {
    NodeTotal t;
    t.node_code = row.String("node_code");
    t.kind = static_cast<SchemeKind>(row.Int("kind"));
    t.inflow_wh = row.Int("inflow_wh");
    t.outflow_wh = row.Int("outflow_wh");
    t.generation_wh = row.Int("generation_wh");
    t.consumption_wh = row.Int("consumption_wh");
    t.normative_loss_percent = row.String("normative_loss_percent");
    t.quality = ReadQuality(row);
    out.push_back(std::move(t));
  }
  return paging::CutPage(std::move(out), page,
                         [](const NodeTotal& t) { return paging::PageKey{t.node_code}; });
}

absl::StatusOr<std::vector<TotalsChange>> PgStore::CompareTotals(int64_t base, int64_t other) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kCompareTotals, base, other));
  std::vector<TotalsChange> out;
  for (pg::Row row : res) {
    out.push_back(TotalsChange{row.String("participant_id"),
                               static_cast<int>(row.Int("service_type")), row.Int("base_wh"),
                               row.Int("other_wh"), row.Int("changed_hours")});
  }
  return out;
}

absl::StatusOr<std::vector<RevisionChange>> PgStore::CompareRevisions(int64_t base, int64_t other) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kCompareRevisions, base, other));
  std::vector<RevisionChange> out;
  for (pg::Row row : res) {
    out.push_back(RevisionChange{row.String("point_code"), static_cast<int>(row.Int("channel")),
                                 row.Date("day"), static_cast<int>(row.Int("base_revision")),
                                 static_cast<int>(row.Int("other_revision"))});
  }
  return out;
}

}  // namespace gridbill::balance
