#include "tools/gridbillctl/demo_metering.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "tools/demo/metering_points.h"
#include "tools/demo/readings.h"
#include "tools/gridbillctl/batch.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace mv1 = ::gridbill::metering::v1;

common::v1::Date ToDate(absl::CivilDay d) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

using CorrectionId = std::tuple<int, int, absl::CivilDay>;  // point, channel, day

// The batches of one stream and the readings in each.
struct Batches {
  std::vector<mv1::IngestReadingsRequest> requests;
  std::vector<int64_t> sizes;

  // The batch to add to: a new one when the last is full or of another source.
  mv1::IngestReadingsRequest& For(int source, int64_t limit) {
    if (requests.empty() || sizes.back() >= limit ||
        requests.back().source() != static_cast<mv1::Source>(source)) {
      requests.emplace_back();
      requests.back().set_source(static_cast<mv1::Source>(source));
      sizes.push_back(0);
    }
    return requests.back();
  }
  int64_t total() const {
    int64_t n = 0;
    for (int64_t k : sizes) n += k;
    return n;
  }
};

struct Totals {
  int64_t sent = 0;
  int64_t accepted = 0;
  int64_t unchanged = 0;
  int64_t revised = 0;
  int64_t rejected = 0;
  int64_t flagged = 0;
  int64_t revisions = 0;
  void Add(const mv1::IngestSummary& s) {
    accepted += s.accepted();
    unchanged += s.unchanged();
    revised += s.revised();
    rejected += s.rejected();
    flagged += s.flagged();
    revisions += s.revisions_written();
  }
};

class MeteringLoader {
 public:
  MeteringLoader(Context& ctx, const demo::DataSet& data, const std::vector<std::string>& ids,
                 const DemoMeteringOptions& options, const Identity& as)
      : ctx_(ctx),
        client_(ctx.client()),
        data_(data),
        ids_(ids),
        options_(options),
        as_(as),
        set_(demo::GenerateMetering(data, demo::MeteringOptions{options.max_points})),
        prefix_(absl::StrCat("demo:", data.options.seed, ":")) {
    demo::ReadingsOptions ro;
    ro.seed = data.options.seed;
    const int months = std::clamp(options.readings_months, 0, 12);
    ro.first = absl::CivilDay(absl::CivilMonth(ro.last) - (months - 1));
    generator_ = std::make_unique<demo::ReadingsGenerator>(set_, ro);
  }

  int Run() {
    const absl::Time start = absl::Now();
    LoadPoints();
    if (options_.readings_months > 0 && failures_.empty()) LoadReadings();
    return Summary(absl::Now() - start);
  }

 private:
  mv1::MeteringPoint ToProto(const demo::DemoPoint& p, bool* ok) {
    mv1::MeteringPoint out;
    out.set_code(p.code);
    out.set_eic(p.eic);
    out.set_name(p.name);
    out.set_substation_code(p.substation_code);
    out.set_voltage_level_code(p.voltage_level_code);
    for (const demo::PointOwner& o : p.owners) {
      const std::string& id = ids_[static_cast<size_t>(o.participant)];
      if (id.empty()) *ok = false;
      mv1::Assignment* a = out.add_assignments();
      a->set_participant_id(id);
      *a->mutable_valid_from() = ToDate(o.from);
      if (o.to) *a->mutable_valid_to() = ToDate(*o.to);
    }
    for (int c : p.channels) {
      mv1::ChannelConfig* cc = out.add_channels();
      cc->set_channel(static_cast<mv1::Channel>(c));
      cc->set_meter_serial(p.meter_serial);
    }
    out.set_meter_serial(p.meter_serial);
    out.set_ct_ratio(p.ct_ratio);
    out.set_vt_ratio(p.vt_ratio);
    out.set_resolution(mv1::RESOLUTION_PT15M);
    out.set_status(p.valid_to ? mv1::METERING_POINT_STATUS_DECOMMISSIONED
                   : p.active ? mv1::METERING_POINT_STATUS_ACTIVE
                              : mv1::METERING_POINT_STATUS_INACTIVE);
    *out.mutable_valid_from() = ToDate(p.valid_from);
    if (p.valid_to) *out.mutable_valid_to() = ToDate(*p.valid_to);
    return out;
  }

  void LoadPoints() {
    const absl::Time start = absl::Now();
    {
      Progress progress("metering points", static_cast<int64_t>(set_.points.size()));
      ParallelFor(static_cast<int64_t>(set_.points.size()), options_.parallel, [&](int64_t i) {
        const demo::DemoPoint& p = set_.points[static_cast<size_t>(i)];
        bool ok = true;
        mv1::CreateMeteringPointRequest req;
        req.set_request_id(absl::StrCat(prefix_, "mp:", p.code));
        *req.mutable_point() = ToProto(p, &ok);
        progress.Advance();
        if (!ok) {
          points_.Reject(i, absl::StrCat("point ", p.code, ": its owner was not loaded"));
          return;
        }
        mv1::CreateMeteringPointResponse resp;
        const absl::Time call_start = absl::Now();
        grpc::Status st = client_.Call(client_.metering_points(),
                                       &mv1::MeteringPointService::Stub::CreateMeteringPoint, req,
                                       &resp, &as_, 6);
        const Outcome outcome = Classify(st, resp.point().create_time(), call_start);
        if (outcome == Outcome::kRejected) {
          points_.Reject(i, absl::StrCat("point ", p.code, ": ", Describe(st)));
        } else {
          points_.Add(outcome);
        }
      });
    }
    points_took_ = absl::Now() - start;
    for (auto& f : points_.Failures()) failures_.push_back(std::move(f));
  }

  // Which late corrections are stored already (a second revision of the day).
  void CheckCorrections() {
    const std::vector<demo::CorrectionKey> all = generator_->Corrections();
    corrections_total_ = static_cast<int64_t>(all.size());
    const absl::TimeZone zone = generator_->options().zone;
    ParallelFor(static_cast<int64_t>(all.size()), options_.parallel, [&](int64_t k) {
      const demo::CorrectionKey& c = all[static_cast<size_t>(k)];
      mv1::GetReadingsRequest req;
      req.set_point_code(set_.points[static_cast<size_t>(c.point)].code);
      req.set_channel(static_cast<mv1::Channel>(c.channel));
      auto* range = req.mutable_time_range();
      range->mutable_start()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(c.day, zone)));
      range->mutable_end()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(c.day + 1, zone)));
      req.set_aggregation(mv1::AGGREGATION_NATIVE);
      mv1::GetReadingsResponse resp;
      grpc::Status st = client_.Call(client_.readings(), &mv1::ReadingService::Stub::GetReadings,
                                     req, &resp, &as_, 3);
      if (!st.ok()) return;
      for (const auto& v : resp.values()) {
        if (v.revision() >= 2) {
          absl::MutexLock lock(&mu_);
          applied_.insert({c.point, c.channel, c.day});
          return;
        }
      }
    });
  }

  // Appends `series` (only its present intervals, minus `skip`) to batches of
  // at most options_.batch_readings readings.
  void AddSeries(const demo::SeriesDay& s, const demo::DayReadings& day,
                 const std::vector<uint8_t>* skip, Batches& out) {
    const std::string& code = set_.points[static_cast<size_t>(s.point)].code;
    const int64_t start = absl::ToUnixSeconds(day.start);
    const int64_t step = absl::ToInt64Seconds(day.step);
    if (options_.series) {
      // Each run of present intervals is one ReadingSeries.
      size_t i = 0;
      while (i < s.values.size()) {
        if (!s.present[i] || (skip != nullptr && (*skip)[i])) {
          ++i;
          continue;
        }
        mv1::ReadingSeries* r = out.For(s.source, options_.batch_readings).add_series();
        r->set_point_code(code);
        r->set_channel(static_cast<mv1::Channel>(s.channel));
        r->mutable_start()->set_seconds(start + step * static_cast<int64_t>(i));
        r->set_resolution(mv1::RESOLUTION_PT15M);
        while (i < s.values.size() && s.present[i] && !(skip != nullptr && (*skip)[i])) {
          r->add_values_wh(s.values[i]);
          ++i;
        }
        out.sizes.back() += r->values_wh_size();
      }
      return;
    }
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (!s.present[i] || (skip != nullptr && (*skip)[i])) continue;
      mv1::Reading* r = out.For(s.source, options_.batch_readings).add_readings();
      ++out.sizes.back();
      r->set_point_code(code);
      r->set_channel(static_cast<mv1::Channel>(s.channel));
      r->mutable_interval_start()->set_seconds(start + step * static_cast<int64_t>(i));
      r->set_value_wh(s.values[i]);
    }
  }

  // Sends the batches on one stream; retries the whole stream when the
  // service was unavailable (every batch is idempotent by content).
  bool Send(Batches& all, const std::string& what, Totals& totals) {
    std::vector<mv1::IngestReadingsRequest>& batches = all.requests;
    for (size_t b = 0; b < batches.size(); ++b) {
      batches[b].set_request_id(absl::StrCat(prefix_, what, ":", b));
    }
    for (int attempt = 1;; ++attempt) {
      std::unique_ptr<grpc::ClientContext> cctx = client_.NewContext(&as_);
      cctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
      mv1::IngestReadingsResponse resp;
      auto writer = client_.readings().IngestReadings(cctx.get(), &resp);
      bool written = true;
      for (const auto& batch : batches) {
        if (!writer->Write(batch)) {
          written = false;
          break;
        }
      }
      if (written) writer->WritesDone();
      grpc::Status st = writer->Finish();
      if (st.ok()) {
        totals.sent += all.total();
        totals.Add(resp.summary());
        for (const auto& r : resp.summary().rejections()) {
          if (totals.rejected > 0 && failures_size() < 30) {
            AddFailure(absl::StrCat(what, ": ", r.key(), ": ", r.reason()));
          }
        }
        return true;
      }
      const bool retry = st.error_code() == grpc::StatusCode::UNAVAILABLE ||
                         st.error_code() == grpc::StatusCode::ABORTED ||
                         st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
      if (!retry || attempt >= 4) {
        AddFailure(absl::StrCat(what, ": ", Describe(st)));
        return false;
      }
      absl::SleepFor(absl::Seconds(attempt));
    }
  }

  size_t failures_size() {
    absl::MutexLock lock(&mu_);
    return failures_.size();
  }
  void AddFailure(std::string f) {
    absl::MutexLock lock(&mu_);
    failures_.push_back(std::move(f));
  }

  void LoadReadings() {
    const absl::Time start = absl::Now();
    CheckCorrections();
    const std::vector<absl::CivilDay> days = generator_->Days();
    days_ = static_cast<int64_t>(days.size());
    if (corrections_total_ > 0 && static_cast<int64_t>(applied_.size()) == corrections_total_) {
      skipped_ = true;
      readings_took_ = absl::Now() - start;
      return;
    }
    std::atomic<size_t> next{0};
    std::vector<Totals> per_stream(static_cast<size_t>(options_.streams));
    {
      Progress progress(absl::StrCat("readings (days, ", options_.streams, " streams)"),
                        static_cast<int64_t>(days.size()));
      std::vector<std::thread> threads;
      for (int t = 0; t < options_.streams; ++t) {
        threads.emplace_back([&, t] {
          Totals& totals = per_stream[static_cast<size_t>(t)];
          while (true) {
            const size_t k = next.fetch_add(1);
            if (k >= days.size()) return;
            const demo::DayReadings day = generator_->Day(days[k]);
            Batches batches;
            std::map<std::pair<int, int>, const demo::SeriesDay*> fixes;
            for (const demo::SeriesDay& c : day.corrected) fixes[{c.point, c.channel}] = &c;
            for (const demo::SeriesDay& s : day.first) {
              const demo::SeriesDay* fix = nullptr;
              if (s.source == demo::kSourceCms) {
                auto it = fixes.find({s.point, s.channel});
                if (it != fixes.end()) {
                  absl::MutexLock lock(&mu_);
                  if (applied_.count({s.point, s.channel, day.day})) fix = it->second;
                }
              }
              AddSeries(s, day, fix != nullptr ? &fix->present : nullptr, batches);
            }
            Send(batches, absl::StrCat("day:", absl::FormatCivilTime(day.day)), totals);
            {
              absl::MutexLock lock(&mu_);
              for (const demo::SeriesDay& c : day.corrected) {
                if (!applied_.count({c.point, c.channel, day.day})) {
                  pending_.push_back({c, day.start, day.step});
                }
              }
            }
            progress.Advance();
          }
        });
      }
      for (auto& th : threads) th.join();
    }
    for (const Totals& t : per_stream) {
      readings_.sent += t.sent;
      readings_.accepted += t.accepted;
      readings_.unchanged += t.unchanged;
      readings_.revised += t.revised;
      readings_.rejected += t.rejected;
      readings_.flagged += t.flagged;
      readings_.revisions += t.revisions;
    }
    readings_took_ = absl::Now() - start;

    // The late corrections: a second revision of those days, from CMS.
    const absl::Time cstart = absl::Now();
    Batches batches;
    std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
      return std::tie(a.start, a.series.point, a.series.channel) <
             std::tie(b.start, b.series.point, b.series.channel);
    });
    for (const Pending& p : pending_) {
      demo::DayReadings d;
      d.start = p.start;
      d.step = p.step;
      AddSeries(p.series, d, nullptr, batches);
    }
    if (!batches.requests.empty()) {
      Progress progress("late corrections", 1);
      Send(batches, "corrections", corrections_);
      progress.Advance();
    }
    corrections_took_ = absl::Now() - cstart;
  }

  int Summary(absl::Duration took) {
    Table t({{"PHASE"},
             {"ITEMS", Table::Align::kRight},
             {"CREATED", Table::Align::kRight},
             {"ALREADY THERE", Table::Align::kRight},
             {"REJECTED", Table::Align::kRight},
             {"TIME", Table::Align::kRight}});
    t.AddRow({"metering points", GroupDigits(static_cast<int64_t>(set_.points.size())),
              GroupDigits(points_.created()), GroupDigits(points_.replayed() + points_.existing()),
              GroupDigits(points_.rejected()),
              absl::StrFormat("%.1fs", absl::ToDoubleSeconds(points_took_))});
    ctx_.out() << "metering demo data, seed " << data_.options.seed << "\n" << t.Render();
    if (options_.readings_months > 0) {
      const demo::ReadingsOptions& ro = generator_->options();
      ctx_.out() << "readings " << absl::FormatCivilTime(ro.first) << " .. "
                 << absl::FormatCivilTime(ro.last) << " (" << days_ << " days, PT15M), "
                 << corrections_total_ << " late corrections";
      if (skipped_) {
        ctx_.out() << ": already loaded (every late correction is stored); nothing sent\n";
      } else {
        const double secs = std::max(absl::ToDoubleSeconds(readings_took_), 1e-3);
        ctx_.out() << "\n"
                   << RenderFields(
                          {{"  sent", GroupDigits(readings_.sent)},
                           {"  accepted", GroupDigits(readings_.accepted)},
                           {"  unchanged", GroupDigits(readings_.unchanged)},
                           {"  revised (CMS after SCADA)", GroupDigits(readings_.revised)},
                           {"  rejected", GroupDigits(readings_.rejected)},
                           {"  flagged by VEE", GroupDigits(readings_.flagged)},
                           {"  day revisions written", GroupDigits(readings_.revisions)},
                           {"  late corrections sent", GroupDigits(corrections_.sent)},
                           {"  late corrections revised", GroupDigits(corrections_.revised)},
                           {"  rate",
                            absl::StrFormat("%s readings/s over %d streams (%.1f s)",
                                            GroupDigits(static_cast<int64_t>(
                                                static_cast<double>(readings_.sent) / secs)),
                                            options_.streams, secs)}});
      }
    }
    ctx_.out() << absl::StrFormat("metering load took %.1f s\n", absl::ToDoubleSeconds(took));
    const int64_t rejected = points_.rejected() + readings_.rejected + corrections_.rejected;
    if (!failures_.empty()) {
      ctx_.out() << "\nproblems (" << failures_.size() << "):\n";
      const size_t shown = std::min<size_t>(failures_.size(), 30);
      for (size_t i = 0; i < shown; ++i) ctx_.out() << "  " << failures_[i] << "\n";
    }
    return rejected == 0 && failures_.empty() ? kExitOk : kExitFailed;
  }

  struct Pending {
    demo::SeriesDay series;
    absl::Time start;
    absl::Duration step;
  };

  Context& ctx_;
  const Client& client_;
  const demo::DataSet& data_;
  const std::vector<std::string>& ids_;
  const DemoMeteringOptions options_;
  const Identity as_;
  const demo::MeteringSet set_;
  const std::string prefix_;
  std::unique_ptr<demo::ReadingsGenerator> generator_;
  Tally points_;
  absl::Duration points_took_, readings_took_, corrections_took_;
  int64_t days_ = 0;
  int64_t corrections_total_ = 0;
  bool skipped_ = false;
  Totals readings_, corrections_;
  absl::Mutex mu_;
  std::set<CorrectionId> applied_ ABSL_GUARDED_BY(mu_);
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> failures_;
};

}  // namespace

int LoadDemoMetering(Context& ctx, const demo::DataSet& data,
                     const std::vector<std::string>& participant_ids,
                     const DemoMeteringOptions& options, const Identity& as) {
  return MeteringLoader(ctx, data, participant_ids, options, as).Run();
}

}  // namespace gridbill::ctl
