#include "engine.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gridbill/domain/civil.h"

namespace gridbill::balance {

int64_t DeclaredForHour(int64_t monthly_wh, int period_hours, int index) {
  if (period_hours <= 0) return 0;
  const int64_t base = monthly_wh / period_hours;
  const int64_t rem = monthly_wh % period_hours;
  if (rem >= 0) return base + (index < rem ? 1 : 0);
  return base - (index < -rem ? 1 : 0);
}

ShardComputation::ShardComputation(std::vector<Scheme> schemes, HourGrid grid,
                                   absl::CivilDay first_day, absl::CivilDay last_day,
                                   absl::TimeZone zone, const std::vector<DeclaredVolume>& declared,
                                   const std::vector<std::string>& closure_terms, int period_hours,
                                   const absl::flat_hash_set<std::string>& user_terms)
    : schemes_(std::move(schemes)),
      grid_(grid),
      first_day_(first_day),
      last_day_(last_day),
      zone_(zone),
      period_hours_(period_hours) {
  const int64_t ndays = (last_day_ - first_day_) + 1;
  absl::flat_hash_map<std::string, int> subjects;
  for (size_t s = 0; s < schemes_.size(); ++s) {
    const Scheme& scheme = schemes_[s];
    auto [it, inserted] = subjects.try_emplace(scheme.Subject(), static_cast<int>(acc_.size()));
    if (inserted) {
      Acc acc;
      acc.a.assign(grid_.hours, 0);
      if (!scheme.is_participant()) {
        acc.b.assign(grid_.hours, 0);
        acc.g.assign(grid_.hours, 0);
        acc.c.assign(grid_.hours, 0);
      }
      acc.q.assign(grid_.hours, Quality{});
      acc_.push_back(std::move(acc));
      subject_scheme_.push_back(static_cast<int>(s));
      std::pair<bool, int64_t> decl{false, 0};
      if (scheme.is_participant()) {
        for (const DeclaredVolume& d : declared) {
          if (d.participant_id == scheme.participant_id && d.service_type == scheme.service_type) {
            decl = {true, decl.second + d.volume_wh};
          }
        }
      }
      declared_.push_back(decl);
    }
    const int subject = it->second;
    const int64_t from = std::max<int64_t>(0, scheme.valid_from - first_day_);
    const int64_t to =
        scheme.valid_to ? std::min<int64_t>(ndays - 1, *scheme.valid_to - first_day_) : ndays - 1;
    for (const Term& t : scheme.terms) {
      auto& by_channel = key_index_[t.point_code];
      auto [kit, kinserted] = by_channel.try_emplace(t.channel, static_cast<int>(keys_.size()));
      if (kinserted) {
        Key key;
        key.point_code = t.point_code;
        key.channel = t.channel;
        key.seen.assign(static_cast<size_t>(ndays), false);
        keys_.push_back(std::move(key));
      }
      const int sign = (t.role == TermRole::kAdd || t.role == TermRole::kInflow) ? 1 : -1;
      const bool user =
          !scheme.is_participant() && user_terms.contains(TermKey(t.point_code, t.channel));
      keys_[kit->second].targets.push_back(Target{subject, sign, user, from, to});
    }
  }
  for (const std::string& ct : closure_terms) {
    const size_t tab = ct.find('\t');
    if (tab == std::string::npos) continue;
    auto pit = key_index_.find(ct.substr(0, tab));
    if (pit == key_index_.end()) continue;
    int channel = std::atoi(ct.c_str() + tab + 1);
    auto cit = pit->second.find(channel);
    if (cit == pit->second.end()) continue;
    keys_[cit->second].closure =
        channel == kActiveDelivered ? 1 : (channel == kActiveReceived ? -1 : 0);
  }
}

std::vector<std::string> ShardComputation::PointCodes() const {
  std::vector<std::string> out;
  out.reserve(key_index_.size());
  for (const auto& [code, unused] : key_index_) out.push_back(code);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> ShardComputation::Channels() const {
  std::vector<int> out;
  for (const Key& k : keys_) {
    if (std::find(out.begin(), out.end(), k.channel) == out.end()) out.push_back(k.channel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ShardComputation::AddHour(const Key& key, int64_t day_index, int hour, int64_t wh,
                               const Quality& q) {
  if (key.closure > 0) out_.supply_wh += wh;
  if (key.closure < 0) out_.consumption_wh += wh;
  out_.quality.Add(q);
  for (const Target& t : key.targets) {
    if (day_index < t.from_day || day_index > t.to_day) continue;
    Acc& acc = acc_[t.subject];
    if (acc.b.empty()) {
      acc.a[hour] += t.sign * wh;
    } else if (t.sign > 0) {
      acc.a[hour] += wh;
      if (t.user) acc.g[hour] += wh;
    } else {
      acc.b[hour] += wh;
      if (t.user) acc.c[hour] += wh;
    }
    acc.q[hour].Add(q);
  }
}

void ShardComputation::Add(const PointDayIn& d) {
  auto pit = key_index_.find(d.point_code);
  if (pit == key_index_.end()) return;
  auto cit = pit->second.find(d.channel);
  if (cit == pit->second.end()) return;
  Key& key = keys_[cit->second];
  const int64_t day_index = d.day - first_day_;
  if (day_index < 0 || day_index >= static_cast<int64_t>(key.seen.size())) return;
  if (key.seen[day_index]) return;  // a day is sent once; a repeat would double count
  key.seen[day_index] = true;
  const int res = d.interval_minutes > 0 ? d.interval_minutes : 60;
  key.intervals_per_hour = std::max(1, 60 / res);
  ++out_.point_days;
  out_.revisions.push_back(PointDayRevision{d.point_code, d.channel, d.day, d.revision});

  // Sums per hour of this day first, then once per target.
  const int64_t base_min = absl::ToInt64Minutes(d.day_start - grid_.start);
  const size_t n = d.values.size();
  int cur = -1;
  int64_t wh = 0;
  Quality q;
  auto flush = [&] {
    if (cur >= 0 && cur < grid_.hours && q.intervals > 0) AddHour(key, day_index, cur, wh, q);
  };
  for (size_t i = 0; i < n; ++i) {
    const int64_t off = base_min + static_cast<int64_t>(i) * res;
    if (off < 0) continue;
    const int hour = static_cast<int>(off / 60);
    if (hour != cur) {
      flush();
      cur = hour;
      wh = 0;
      q = Quality{};
    }
    const int quality = i < d.qualities.size() ? d.qualities[i] : kQualityMeasured;
    ++q.intervals;
    if (quality == kQualityMissing) {
      ++q.missing;
      continue;
    }
    if (quality == kQualityEstimated || quality == kQualitySubstituted ||
        quality == kQualityEdited) {
      ++q.estimated;
    }
    wh += d.values[i];
  }
  flush();
}

ShardResult ShardComputation::Finish() {
  // Days never sent are gaps: every interval of their hours is missing.
  for (const Key& key : keys_) {
    const int per_hour = key.intervals_per_hour > 0 ? key.intervals_per_hour : 1;
    for (size_t di = 0; di < key.seen.size(); ++di) {
      if (key.seen[di]) continue;
      const absl::CivilDay day = first_day_ + static_cast<int64_t>(di);
      const absl::Time from = std::max(StartOfDay(day, zone_), grid_.start);
      const absl::Time to = std::min(StartOfDay(day + 1, zone_), grid_.end());
      for (absl::Time t = from; t < to; t += absl::Hours(1)) {
        const int hour = static_cast<int>(absl::ToInt64Hours(t - grid_.start));
        AddHour(key, static_cast<int64_t>(di), hour, 0, Quality{per_hour, 0, per_hour});
      }
    }
  }
  for (size_t s = 0; s < acc_.size(); ++s) {
    const Scheme& scheme = schemes_[subject_scheme_[s]];
    const Acc& acc = acc_[s];
    for (int h = 0; h < grid_.hours; ++h) {
      const absl::Time hour_start = grid_.start + absl::Hours(h);
      if (scheme.is_participant()) {
        ServiceHour r;
        r.participant_id = scheme.participant_id;
        r.service_type = scheme.service_type;
        r.hour_start = hour_start;
        r.actual_wh = acc.a[h];
        r.has_declaration = declared_[s].first;
        r.declared_wh =
            r.has_declaration ? DeclaredForHour(declared_[s].second, period_hours_, h) : 0;
        r.quality = acc.q[h];
        out_.service_hours.push_back(std::move(r));
      } else {
        NodeHour r;
        r.node_code = scheme.node_code;
        r.kind = scheme.kind;
        r.hour_start = hour_start;
        r.inflow_wh = acc.a[h];
        r.outflow_wh = acc.b[h];
        r.generation_wh = acc.g[h];
        r.consumption_wh = acc.c[h];
        r.normative_loss_percent = scheme.normative_loss_percent;
        r.quality = acc.q[h];
        out_.node_hours.push_back(std::move(r));
      }
    }
  }
  return std::move(out_);
}

std::string TermKey(const std::string& point, int channel) {
  return absl::StrCat(point, "\t", channel);
}

std::vector<Shard> PlanShards(const std::vector<Scheme>& schemes, int shard_points) {
  // Subjects in a stable order: participants first, then nodes and regions.
  std::map<std::pair<int, std::string>, std::vector<const Scheme*>> subjects;
  for (const Scheme& s : schemes) {
    subjects[{s.is_participant() ? 0 : 1, s.Subject()}].push_back(&s);
  }
  std::vector<Shard> shards;
  absl::flat_hash_set<std::string> closure_owned;
  absl::flat_hash_set<std::string> points;
  int current_group = -1;
  for (const auto& [key, versions] : subjects) {
    if (shards.empty() || key.first != current_group ||
        static_cast<int>(points.size()) >= shard_points) {
      shards.push_back(Shard{});
      shards.back().shard_no = static_cast<int>(shards.size());
      points.clear();
      current_group = key.first;
    }
    Shard& shard = shards.back();
    for (const Scheme* s : versions) {
      shard.scheme_ids.push_back(s->id);
      for (const Term& t : s->terms) {
        points.insert(t.point_code);
        if (s->is_participant() &&
            (t.channel == kActiveReceived || t.channel == kActiveDelivered)) {
          std::string k = TermKey(t.point_code, t.channel);
          if (closure_owned.insert(k).second) shard.closure_terms.push_back(std::move(k));
        }
      }
    }
  }
  return shards;
}

}  // namespace gridbill::balance
