#include "pg_store.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/pg_jobs.h"
#include "queries.h"

namespace gridbill::forecasting {
namespace {

namespace q = queries;

absl::CivilDay DayOf(absl::CivilMonth m) { return absl::CivilDay(m); }

// "{1,2,3}" (a bigint[] as text) as numbers.
std::vector<int64_t> ParseIntArray(absl::string_view text) {
  std::vector<int64_t> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  if (text.empty()) return out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int64_t v = 0;
    if (absl::SimpleAtoi(part, &v)) out.push_back(v);
  }
  return out;
}

ForecastRun RunOf(const pg::Row& r) {
  ForecastRun run;
  run.id = r.String("id");
  run.version = r.Int("version");
  run.horizon_months = static_cast<int>(r.Int("horizon_months"));
  run.backtest_origins = static_cast<int>(r.Int("backtest_origins"));
  if (auto d = r.OptionalDate("requested_history_to")) {
    run.requested_history_to = absl::CivilMonth(*d);
  }
  run.created_by = r.String("created_by");
  run.inputs.billing_run_ids = r.TextArray("billing_run_ids");
  run.inputs.history_import_ids = r.TextArray("history_import_ids");
  if (auto d = r.OptionalDate("history_from")) run.inputs.history_from = absl::CivilMonth(*d);
  if (auto d = r.OptionalDate("history_to")) run.inputs.history_to = absl::CivilMonth(*d);
  run.inputs.series = static_cast<int>(r.Int("series"));
  run.inputs.gap_months = static_cast<int>(r.Int("gap_months"));
  run.inputs.gap_rule = r.String("gap_rule");
  if (!r.IsNull("coverage_80")) {
    RunAccuracy a;
    if (!r.IsNull("median_mase_chosen")) a.median_mase_chosen = r.Double("median_mase_chosen");
    if (!r.IsNull("median_mase_seasonal_naive")) {
      a.median_mase_seasonal_naive = r.Double("median_mase_seasonal_naive");
    }
    a.coverage80 = r.Double("coverage_80");
    a.coverage95 = r.Double("coverage_95");
    a.chosen_models = r.String("chosen_models");
    run.accuracy = a;
  }
  return run;
}

RunSeries SeriesOf(const pg::Row& r) {
  RunSeries s;
  s.index = static_cast<int>(r.Int("series_no"));
  s.participant_id = r.String("participant_id");
  s.region_code = r.String("region_code");
  s.service_type = static_cast<int>(r.Int("service_type"));
  s.history_start = absl::CivilMonth(r.Date("history_start"));
  s.history_wh = ParseIntArray(r.String("history_wh"));
  s.model = static_cast<ModelKind>(r.Int("model"));
  s.model_spec = r.String("model_spec");
  s.fallback = r.String("fallback");
  return s;
}

absl::StatusOr<ForecastRun> ReadRun(pg::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kSelectRun, id));
  if (rows.empty()) return NotFound("forecast run", id);
  ForecastRun run = RunOf(rows[0]);
  ASSIGN_OR_RETURN(run.job, jobs::PgJobs::Get(tx, id));
  return run;
}

}  // namespace

absl::Status PgStore::CreateImport(const HistoryImport& import, const std::string& content,
                                   const std::vector<jobs::PieceSpec>& pieces, absl::Time now) {
  return pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(q::kInsertImport, import.id, import.file_name, import.sha256, content,
                            import.rows, import.created_by, now)
                        .status());
    return jobs::PgJobs::InsertSplit(tx, import.id, kImportKind, pieces, now);
  });
}

absl::StatusOr<HistoryImport> PgStore::GetImport(const std::string& id) {
  return pool_.TransactValue<HistoryImport>(
      [&](pg::Transaction& tx) -> absl::StatusOr<HistoryImport> {
        ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kSelectImport, id));
        if (rows.empty()) return NotFound("history import", id);
        HistoryImport out;
        out.id = rows[0].String("id");
        out.file_name = rows[0].String("file_name");
        out.sha256 = rows[0].String("sha256");
        out.rows = rows[0].Int("rows");
        out.changed = rows[0].Int("changed");
        out.unchanged = rows[0].Int("unchanged");
        out.created_by = rows[0].String("created_by");
        ASSIGN_OR_RETURN(out.job, jobs::PgJobs::Get(tx, id));
        return out;
      });
}

absl::StatusOr<std::string> PgStore::ImportContent(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Execute(q::kSelectImportContent, pg::Params(id)));
  if (rows.empty()) return NotFound("history import", id);
  return rows[0].String("content");
}

absl::StatusOr<jobs::Completion> PgStore::StoreImportPiece(const jobs::Claim& claim,
                                                           const std::vector<MonthVolume>& rows,
                                                           absl::Time now) {
  absl::StatusOr<jobs::Completion> stored = pool_.TransactValue<jobs::Completion>(
      [&](pg::Transaction& tx) -> absl::StatusOr<jobs::Completion> {
        ASSIGN_OR_RETURN(bool held, jobs::PgJobs::FencePiece(tx, claim));
        if (!held) return jobs::Completion::kDiscarded;
        std::vector<std::string> participants, periods;
        std::vector<int64_t> services, volumes;
        for (const MonthVolume& r : rows) {
          participants.push_back(r.participant_id);
          services.push_back(r.service_type);
          periods.push_back(absl::FormatCivilTime(DayOf(r.period)));
          volumes.push_back(r.volume_wh);
        }
        pg::Params params;
        params.AddTextArray(participants).AddIntArray(services).AddTextArray(periods);
        params.AddIntArray(volumes).Add(claim.job_id);
        ASSIGN_OR_RETURN(pg::Result changed, tx.Execute(q::kUpsertHistory, params));
        const int64_t n_changed = changed.size();
        ASSIGN_OR_RETURN(pg::Result counts, tx.Exec(q::kAddImportCounts, claim.job_id, n_changed,
                                                    static_cast<int64_t>(rows.size()) - n_changed));
        ASSIGN_OR_RETURN(jobs::Completion done,
                         jobs::PgJobs::CompletePiece(tx, claim, absl::StrCat(n_changed), now));
        if (done == jobs::Completion::kLast && !counts.empty()) {
          const std::string summary =
              absl::StrCat(counts[0].Int("rows"), " rows: ", counts[0].Int("changed"),
                           " new or changed, ", counts[0].Int("unchanged"), " already present");
          RETURN_IF_ERROR(jobs::PgJobs::Finish(tx, claim.job_id, summary, now).status());
        }
        return done;
      });
  // Taken over after the fence: rolled back, the new holder stores the piece.
  if (!stored.ok() && jobs::PgJobs::IsClaimLost(stored.status()))
    return jobs::Completion::kDiscarded;
  return stored;
}

absl::StatusOr<std::vector<MonthVolume>> PgStore::ImportedHistory(
    std::vector<std::string>* import_ids) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Execute(q::kSelectHistory));
  std::vector<MonthVolume> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    MonthVolume v;
    v.participant_id = rows[i].String("participant_id");
    v.service_type = static_cast<int>(rows[i].Int("service_type"));
    v.period = absl::CivilMonth(rows[i].Date("period"));
    v.volume_wh = rows[i].Int("volume_wh");
    out.push_back(std::move(v));
  }
  if (import_ids != nullptr) {
    ASSIGN_OR_RETURN(pg::Result ids, pool_.Execute(q::kSelectHistoryImportIds));
    for (int i = 0; i < ids.size(); ++i) import_ids->push_back(ids[i].String(0));
  }
  return out;
}

absl::StatusOr<ForecastRun> PgStore::CreateRun(const ForecastRun& run, absl::Time now) {
  return pool_.TransactValue<ForecastRun>([&](pg::Transaction& tx) -> absl::StatusOr<ForecastRun> {
    RETURN_IF_ERROR(tx.Exec(q::kLockRuns).status());
    ASSIGN_OR_RETURN(pg::Result v, tx.Exec(q::kNextRunVersion));
    std::optional<absl::CivilDay> requested;
    if (run.requested_history_to) requested = DayOf(*run.requested_history_to);
    RETURN_IF_ERROR(tx.Exec(q::kInsertRun, run.id, v[0].Int("version"), run.horizon_months,
                            run.backtest_origins, requested, run.created_by)
                        .status());
    RETURN_IF_ERROR(jobs::PgJobs::Insert(tx, run.id, kRunKind, now));
    return ReadRun(tx, run.id);
  });
}

absl::StatusOr<ForecastRun> PgStore::GetRun(const std::string& id) {
  return pool_.TransactValue<ForecastRun>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ForecastRun> { return ReadRun(tx, id); });
}

absl::StatusOr<std::optional<ForecastRun>> PgStore::LatestSucceededRun() {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Execute(q::kLatestSucceededRun));
  if (rows.empty()) return std::optional<ForecastRun>();
  ASSIGN_OR_RETURN(ForecastRun run, GetRun(rows[0].String("id")));
  return std::optional<ForecastRun>(std::move(run));
}

absl::StatusOr<paging::PageOf<ForecastRun>> PgStore::ListRuns(const paging::Page& page) {
  std::optional<int64_t> before;
  if (!page.first()) {
    ASSIGN_OR_RETURN(before, page.AfterInt(0));
  }
  return pool_.TransactValue<paging::PageOf<ForecastRun>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<paging::PageOf<ForecastRun>> {
        ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kListRuns, before, page.size + 1));
        std::vector<ForecastRun> runs;
        for (int i = 0; i < rows.size(); ++i) {
          ForecastRun run = RunOf(rows[i]);
          ASSIGN_OR_RETURN(run.job, jobs::PgJobs::Get(tx, run.id));
          runs.push_back(std::move(run));
        }
        return paging::CutPage(std::move(runs), page, [](const ForecastRun& r) {
          return paging::PageKey{absl::StrCat(r.version)};
        });
      });
}

absl::StatusOr<bool> PgStore::StorePlan(const jobs::Claim& claim, const RunInputs& inputs,
                                        const std::vector<RunSeries>& series,
                                        const std::vector<jobs::PieceSpec>& pieces,
                                        absl::Time now) {
  return pool_.TransactValue<bool>([&](pg::Transaction& tx) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(bool held, jobs::PgJobs::StorePlan(tx, claim, pieces, now));
    if (!held) return false;
    std::optional<absl::CivilDay> from, to;
    if (inputs.history_from) from = DayOf(*inputs.history_from);
    if (inputs.history_to) to = DayOf(*inputs.history_to);
    pg::Params params(claim.job_id);
    params.AddTextArray(inputs.billing_run_ids).AddTextArray(inputs.history_import_ids);
    params.Add(from).Add(to).Add(inputs.series).Add(inputs.gap_months).Add(inputs.gap_rule);
    RETURN_IF_ERROR(tx.Execute(q::kUpdateRunInputs, params).status());
    for (const RunSeries& s : series) {
      pg::Params p(claim.job_id, s.index, s.participant_id, s.region_code, s.service_type,
                   DayOf(s.history_start));
      p.AddIntArray(s.history_wh);
      RETURN_IF_ERROR(tx.Execute(q::kInsertSeries, p).status());
    }
    return true;
  });
}

absl::StatusOr<std::vector<RunSeries>> PgStore::SeriesRange(const std::string& run_id, int from,
                                                            int to) {
  ASSIGN_OR_RETURN(pg::Result rows,
                   pool_.Execute(q::kSelectSeriesRange, pg::Params(run_id, from, to)));
  std::vector<RunSeries> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(SeriesOf(rows[i]));
  return out;
}

absl::StatusOr<jobs::Completion> PgStore::StoreForecasts(const jobs::Claim& claim,
                                                         const std::vector<RunSeries>& series,
                                                         absl::Time now) {
  absl::StatusOr<jobs::Completion> stored = pool_.TransactValue<jobs::Completion>(
      [&](pg::Transaction& tx) -> absl::StatusOr<jobs::Completion> {
        ASSIGN_OR_RETURN(bool held, jobs::PgJobs::FencePiece(tx, claim));
        if (!held) return jobs::Completion::kDiscarded;
        for (const RunSeries& s : series) {
          std::vector<int64_t> origin, horizon, forecast;
          for (const BacktestForecast& b : s.backtest) {
            origin.push_back(b.origin), horizon.push_back(b.horizon);
            forecast.push_back(b.forecast_wh);
          }
          pg::Params mp(claim.job_id, s.index, static_cast<int>(s.model), s.model_spec, s.fallback);
          mp.AddIntArray(origin).AddIntArray(horizon).AddIntArray(forecast);
          RETURN_IF_ERROR(tx.Execute(q::kUpdateSeriesModel, mp).status());
          std::vector<std::string> days;
          std::vector<int64_t> v, l8, u8, l9, u9;
          for (const Point& p : s.points) {
            days.push_back(absl::FormatCivilTime(DayOf(p.period)));
            v.push_back(p.volume_wh), l8.push_back(p.lower80_wh), u8.push_back(p.upper80_wh);
            l9.push_back(p.lower95_wh), u9.push_back(p.upper95_wh);
          }
          pg::Params pp(claim.job_id, s.index);
          pp.AddTextArray(days).AddIntArray(v).AddIntArray(l8).AddIntArray(u8);
          pp.AddIntArray(l9).AddIntArray(u9);
          RETURN_IF_ERROR(tx.Execute(q::kInsertPoints, pp).status());
          for (const StoredAccuracy& a : s.candidates) {
            RETURN_IF_ERROR(tx.Exec(q::kInsertAccuracy, claim.job_id, s.index,
                                    static_cast<int>(a.kind), a.spec, a.chosen, a.origins, a.errors,
                                    a.mae_wh, a.smape, a.mase, a.mape, a.undefined_reason,
                                    a.coverage80, a.coverage95)
                                .status());
          }
        }
        return jobs::PgJobs::CompletePiece(tx, claim, absl::StrCat(series.size()), now);
      });
  // Taken over after the fence: rolled back, the new holder stores the piece.
  if (!stored.ok() && jobs::PgJobs::IsClaimLost(stored.status()))
    return jobs::Completion::kDiscarded;
  return stored;
}

absl::StatusOr<std::vector<RunSeries>> PgStore::Forecasts(const std::string& run_id,
                                                          const std::string& participant_id,
                                                          const std::string& region_code,
                                                          int service_type) {
  return pool_.TransactValue<std::vector<RunSeries>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<std::vector<RunSeries>> {
        ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kSelectSeriesFiltered, run_id, participant_id,
                                                  region_code, service_type));
        std::vector<RunSeries> out;
        std::map<int64_t, size_t> at;
        std::vector<int64_t> nos;
        for (int i = 0; i < rows.size(); ++i) {
          out.push_back(SeriesOf(rows[i]));
          const std::vector<int64_t> origin = ParseIntArray(rows[i].String("backtest_origin"));
          const std::vector<int64_t> horizon = ParseIntArray(rows[i].String("backtest_horizon"));
          const std::vector<int64_t> forecast =
              ParseIntArray(rows[i].String("backtest_forecast_wh"));
          for (size_t k = 0; k < origin.size() && k < horizon.size() && k < forecast.size(); ++k) {
            out.back().backtest.push_back(
                {static_cast<int>(origin[k]), static_cast<int>(horizon[k]), forecast[k]});
          }
          at[out.back().index] = out.size() - 1;
          nos.push_back(out.back().index);
        }
        if (out.empty()) return out;
        pg::Params p(run_id);
        p.AddIntArray(nos);
        ASSIGN_OR_RETURN(pg::Result points, tx.Execute(q::kSelectPoints, p));
        for (int i = 0; i < points.size(); ++i) {
          const pg::Row r = points[i];
          Point pt;
          pt.period = absl::CivilMonth(r.Date("period"));
          pt.volume_wh = r.Int("volume_wh");
          pt.lower80_wh = r.Int("lower_80_wh"), pt.upper80_wh = r.Int("upper_80_wh");
          pt.lower95_wh = r.Int("lower_95_wh"), pt.upper95_wh = r.Int("upper_95_wh");
          out[at[r.Int("series_no")]].points.push_back(pt);
        }
        ASSIGN_OR_RETURN(pg::Result acc, tx.Execute(q::kSelectAccuracy, p));
        for (int i = 0; i < acc.size(); ++i) {
          const pg::Row r = acc[i];
          StoredAccuracy a;
          a.kind = static_cast<ModelKind>(r.Int("model"));
          a.spec = r.String("model_spec");
          a.chosen = r.Bool("chosen");
          a.origins = static_cast<int>(r.Int("origins"));
          a.errors = static_cast<int>(r.Int("errors"));
          a.mae_wh = r.Int("mae_wh");
          a.smape = r.Double("smape");
          if (!r.IsNull("mase")) a.mase = r.Double("mase");
          if (!r.IsNull("mape")) a.mape = r.Double("mape");
          a.undefined_reason = r.String("undefined_reason");
          a.coverage80 = r.Double("coverage_80");
          a.coverage95 = r.Double("coverage_95");
          out[at[r.Int("series_no")]].candidates.push_back(std::move(a));
        }
        return out;
      });
}

absl::Status PgStore::StoreRunAccuracy(const std::string& run_id, const RunAccuracy& a) {
  return pool_
      .Execute(q::kUpdateRunAccuracy,
               pg::Params(run_id, a.median_mase_chosen, a.median_mase_seasonal_naive, a.coverage80,
                          a.coverage95, a.chosen_models))
      .status();
}

absl::Status PgStore::DeleteForecasts(const std::string& run_id) {
  return pool_.Execute(q::kDeleteSeries, pg::Params(run_id)).status();
}

}  // namespace gridbill::forecasting
