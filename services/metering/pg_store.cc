#include "pg_store.h"

#include <charconv>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "gridbill/pg/connection.h"
#include "gridbill/pg/copy.h"
#include "gridbill/pg/errors.h"
#include "queries.h"

namespace gridbill::metering {
namespace {

namespace q = queries;

constexpr int32_t kAnyRevision = 2147483647;

// "{1,-2,3}" -> numbers; the arrays of reading_days never hold NULLs.
template <typename T>
absl::StatusOr<std::vector<T>> ParseIntArray(std::string_view text) {
  std::vector<T> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return absl::InternalError(absl::StrCat("stored array is malformed: ", QuoteInput(text)));
  }
  const char* p = text.data() + 1;
  const char* end = text.data() + text.size() - 1;
  out.reserve(static_cast<size_t>((end - p) / 2 + 1));
  while (p < end) {
    T v{};
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) {
      return absl::InternalError(absl::StrCat("stored array is malformed: ", QuoteInput(text)));
    }
    out.push_back(v);
    p = next;
    if (p < end && *p == ',') ++p;
  }
  return out;
}

template <typename T>
void AppendIntArray(std::string& out, const std::vector<T>& values) {
  out.push_back('{');
  char buf[24];
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, values[i]);
    out.append(buf, end);
  }
  out.push_back('}');
}

template <typename T>
std::string IntArray(const std::vector<T>& values) {
  std::string out;
  AppendIntArray(out, values);
  return out;
}

std::string DateArray(const std::vector<std::optional<absl::CivilDay>>& days) {
  std::vector<std::string> parts;
  for (const auto& d : days) parts.push_back(d ? FormatDate(*d) : "infinity");
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

int64_t MonthKey(absl::CivilDay d) { return d.year() * 12 + d.month() - 1; }

pg::Params PointParams(const MeteringPoint& p) {
  std::vector<int64_t> channels;
  std::vector<std::string> serials;
  for (const ChannelConfig& c : p.channels) {
    channels.push_back(static_cast<int64_t>(c.channel));
    serials.push_back(c.meter_serial);
  }
  std::vector<std::string> participants;
  std::vector<std::optional<absl::CivilDay>> from;
  std::vector<std::optional<absl::CivilDay>> to;
  for (const Assignment& a : p.assignments) {
    participants.push_back(a.participant_id);
    from.push_back(a.valid_from);
    to.push_back(a.valid_to);
  }
  pg::Params params;
  params.Add(p.code)
      .Add(p.eic)
      .Add(p.name)
      .Add(p.substation_code)
      .Add(p.voltage_level_code)
      .AddIntArray(channels)
      .AddTextArray(serials)
      .AddTextArray(participants)
      .Add(DateArray(from))
      .Add(DateArray(to))
      .Add(p.meter_serial)
      .Add(p.ct_ratio.empty() ? "1" : p.ct_ratio)
      .Add(p.vt_ratio.empty() ? "1" : p.vt_ratio)
      .Add(static_cast<int64_t>(p.resolution))
      .Add(static_cast<int64_t>(p.status))
      .Add(p.valid_from)
      .Add(p.valid_to);
  return params;
}

absl::StatusOr<MeteringPoint> ReadPoint(const pg::Row& row) {
  MeteringPoint p;
  p.id = row.Int("id");
  p.code = row.String("code");
  p.eic = row.String("eic");
  p.name = row.String("name");
  p.substation_code = row.String("substation_code");
  p.voltage_level_code = row.String("voltage_level_code");
  ASSIGN_OR_RETURN(std::vector<int16_t> channels, ParseIntArray<int16_t>(row.Text("channels")));
  std::vector<std::string> serials = row.TextArray("channel_serials");
  for (size_t i = 0; i < channels.size(); ++i) {
    p.channels.push_back(
        ChannelConfig{static_cast<Channel>(channels[i]), i < serials.size() ? serials[i] : ""});
  }
  std::vector<std::string> participants = row.TextArray("assign_participants");
  std::vector<std::string> from = row.TextArray("assign_from");
  std::vector<std::string> to = row.TextArray("assign_to");
  for (size_t i = 0; i < participants.size() && i < from.size() && i < to.size(); ++i) {
    Assignment a;
    a.participant_id = participants[i];
    ASSIGN_OR_RETURN(a.valid_from, ParseDate(from[i]));
    if (to[i] != "infinity") {
      ASSIGN_OR_RETURN(absl::CivilDay d, ParseDate(to[i]));
      a.valid_to = d;
    }
    p.assignments.push_back(std::move(a));
  }
  p.meter_serial = row.String("meter_serial");
  p.ct_ratio = row.String("ct_ratio");
  p.vt_ratio = row.String("vt_ratio");
  p.resolution = static_cast<Resolution>(row.Int("resolution"));
  p.status = static_cast<PointStatus>(row.Int("status"));
  p.valid_from = row.Date("valid_from");
  p.valid_to = row.OptionalDate("valid_to");
  p.version = row.Int("version");
  p.create_time = row.Time("create_time");
  p.update_time = row.Time("update_time");
  return p;
}

// The columns of a day row, looked up by name once per result: days are
// read by the thousand (GetReadings, StreamPointDays).
struct DayColumns {
  explicit DayColumns(const pg::Result& r)
      : point_id(r.Column("point_id")),
        channel(r.Column("channel")),
        day(r.Column("day")),
        revision(r.Column("revision")),
        vals(r.Column("vals")),
        quality(r.Column("quality")),
        findings(r.Column("findings")),
        source(r.Column("source")),
        actor(r.Column("actor")),
        request_id(r.Column("request_id")),
        reason(r.Column("reason")),
        created_at(r.Column("created_at")),
        sources(r.Column("sources")),
        scada_vals(r.Column("scada_vals")),
        status_codes(r.Column("status_codes")) {}
  int point_id, channel, day, revision, vals, quality, findings, source, actor, request_id, reason,
      created_at, sources, scada_vals, status_codes;
};

absl::StatusOr<DayRow> ReadDay(const pg::Row& row, const DayColumns& c) {
  DayRow d;
  d.key.point_id = row.Int(c.point_id);
  d.key.channel = static_cast<Channel>(row.Int(c.channel));
  d.key.day = row.Date(c.day);
  d.revision = static_cast<int32_t>(row.Int(c.revision));
  ASSIGN_OR_RETURN(d.values, ParseIntArray<int64_t>(row.Text(c.vals)));
  // NULL: every interval MEASURED / without findings (see WriteDays).
  if (row.IsNull(c.quality)) {
    d.quality.assign(d.values.size(), static_cast<int16_t>(Quality::kMeasured));
  } else {
    ASSIGN_OR_RETURN(d.quality, ParseIntArray<int16_t>(row.Text(c.quality)));
  }
  if (row.IsNull(c.findings)) {
    d.findings.assign(d.values.size(), 0);
  } else {
    ASSIGN_OR_RETURN(d.findings, ParseIntArray<int16_t>(row.Text(c.findings)));
  }
  d.source = static_cast<Source>(row.Int(c.source));
  d.actor = row.String(c.actor);
  d.request_id = row.String(c.request_id);
  d.reason = row.String(c.reason);
  d.created_at = row.Time(c.created_at);
  if (!row.IsNull(c.sources)) {
    ASSIGN_OR_RETURN(d.sources, ParseIntArray<int16_t>(row.Text(c.sources)));
  }
  if (!row.IsNull(c.scada_vals)) {
    ASSIGN_OR_RETURN(d.scada_values, ParseIntArray<int64_t>(row.Text(c.scada_vals)));
  }
  if (!row.IsNull(c.status_codes)) {
    ASSIGN_OR_RETURN(d.status_codes, ParseIntArray<int32_t>(row.Text(c.status_codes)));
  }
  return d;
}

absl::StatusOr<std::vector<DayRow>> ReadDayRows(const pg::Result& res) {
  std::vector<DayRow> out;
  if (res.empty()) return out;
  const DayColumns columns(res);
  out.reserve(static_cast<size_t>(res.size()));
  for (pg::Row row : res) {
    ASSIGN_OR_RETURN(DayRow d, ReadDay(row, columns));
    out.push_back(std::move(d));
  }
  return out;
}

// A revision number taken by a concurrent writer: retry the transaction.
absl::Status MapWriteError(absl::Status st) {
  if (st.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AbortedError(
        absl::StrCat("a concurrent write took the same revision; retry (", st.message(), ")"));
  }
  return st;
}

absl::StatusOr<ImportJob> ReadJob(const pg::Row& row) {
  ImportJob j;
  j.id = row.String("id");
  j.request_id = row.String("request_id");
  j.fingerprint = row.String("fingerprint");
  j.actor = row.String("actor");
  j.file_name = row.String("file_name");
  j.state = static_cast<JobState>(row.Int("state"));
  j.done = row.Int("done");
  j.total = row.Int("total");
  j.readings = row.Int("readings");
  j.summary.accepted = row.Int("accepted");
  j.summary.unchanged = row.Int("unchanged");
  j.summary.revised = row.Int("revised");
  j.summary.rejected = row.Int("rejected");
  j.summary.revisions_written = row.Int("revisions_written");
  j.summary.flagged = row.Int("flagged");
  std::vector<std::string> keys = row.TextArray("rejection_keys");
  std::vector<std::string> reasons = row.TextArray("rejection_reasons");
  for (size_t i = 0; i < keys.size() && i < reasons.size(); ++i) {
    j.summary.rejections.push_back(Rejection{0, -1, keys[i], reasons[i]});
  }
  j.error = row.String("error");
  j.create_time = row.Time("create_time");
  j.start_time = row.OptionalTime("start_time");
  j.finish_time = row.OptionalTime("finish_time");
  j.summary.missing = row.Int("missing");
  j.summary.status_flagged = row.Int("status_flagged");
  return j;
}

// The usual day: every interval measured, none with a finding. Such
// arrays are stored as NULL: a third less to write and to read.
bool AllMeasured(const DayRow& r) {
  for (int16_t q : r.quality) {
    if (q != static_cast<int16_t>(Quality::kMeasured)) return false;
  }
  return true;
}

bool NoFindings(const DayRow& r) {
  for (int16_t f : r.findings) {
    if (f != 0) return false;
  }
  return true;
}

// One reading_days row in COPY's text format.
void AppendTextCopyRow(std::string& data, const DayRow& r) {
  absl::StrAppend(&data, r.key.point_id, "\t", static_cast<int>(r.key.channel), "\t",
                  FormatDate(r.key.day), "\t", r.revision, "\t");
  AppendIntArray(data, r.values);
  data.push_back('\t');
  if (AllMeasured(r)) {
    data += "\\N";
  } else {
    AppendIntArray(data, r.quality);
  }
  data.push_back('\t');
  if (NoFindings(r)) {
    data += "\\N";
  } else {
    AppendIntArray(data, r.findings);
  }
  absl::StrAppend(&data, "\t", static_cast<int>(r.source), "\t");
  pg::AppendCopyText(data, r.actor);
  data.push_back('\t');
  pg::AppendCopyText(data, r.request_id);
  data.push_back('\t');
  pg::AppendCopyText(data, r.reason);
  absl::StrAppend(&data, "\t", TimeText(r.created_at), "\t");
  if (r.sources.empty()) {
    data += "\\N";
  } else {
    AppendIntArray(data, r.sources);
  }
  data.push_back('\t');
  if (r.scada_values.empty()) {
    data += "\\N";
  } else {
    AppendIntArray(data, r.scada_values);
  }
  data.push_back('\t');
  if (r.status_codes.empty()) {
    data += "\\N";
  } else {
    AppendIntArray(data, r.status_codes);
  }
  data.push_back('\n');
}

// COPY's binary format: big-endian integers, arrays with their element type.
template <typename T>
void PutBig(std::string& out, T v) {
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    buf[i] = static_cast<char>(u >> (8 * (sizeof(T) - 1 - i)));
  }
  out.append(buf, sizeof(T));
}

template <typename T>
void PutField(std::string& out, T v) {
  PutBig<int32_t>(out, sizeof(T));
  PutBig<T>(out, v);
}

void PutTextField(std::string& out, std::string_view s) {
  PutBig<int32_t>(out, static_cast<int32_t>(s.size()));
  out.append(s);
}

constexpr int32_t kInt2Oid = 21;
constexpr int32_t kInt4Oid = 23;
constexpr int32_t kInt8Oid = 20;

template <typename T>
void PutArrayField(std::string& out, const std::vector<T>& values) {
  static_assert(sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  const int32_t n = static_cast<int32_t>(values.size());
  PutBig<int32_t>(out, 20 + n * static_cast<int32_t>(4 + sizeof(T)));
  PutBig<int32_t>(out, 1);  // dimensions
  PutBig<int32_t>(out, 0);  // no NULLs
  PutBig<int32_t>(out, sizeof(T) == 2 ? kInt2Oid : sizeof(T) == 4 ? kInt4Oid : kInt8Oid);
  PutBig<int32_t>(out, n);
  PutBig<int32_t>(out, 1);  // lower bound
  for (T v : values) {
    PutBig<int32_t>(out, sizeof(T));
    PutBig<T>(out, v);
  }
}

// PostgreSQL's epoch for date and timestamptz.
const absl::CivilDay kPgEpochDay(2000, 1, 1);
const absl::Time kPgEpoch = absl::FromUnixSeconds(946684800);

void AppendBinaryCopy(std::string& data, absl::Span<const DayRow> rows) {
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";
  data.append(kSignature, 11);
  PutBig<int32_t>(data, 0);  // flags
  PutBig<int32_t>(data, 0);  // header extension
  for (const DayRow& r : rows) {
    PutBig<int16_t>(data, 15);
    PutField<int64_t>(data, r.key.point_id);
    PutField<int16_t>(data, static_cast<int16_t>(r.key.channel));
    PutField<int32_t>(data, static_cast<int32_t>(r.key.day - kPgEpochDay));
    PutField<int32_t>(data, r.revision);
    PutArrayField(data, r.values);
    if (AllMeasured(r)) {
      PutBig<int32_t>(data, -1);
    } else {
      PutArrayField(data, r.quality);
    }
    if (NoFindings(r)) {
      PutBig<int32_t>(data, -1);
    } else {
      PutArrayField(data, r.findings);
    }
    PutField<int16_t>(data, static_cast<int16_t>(r.source));
    PutTextField(data, r.actor);
    PutTextField(data, r.request_id);
    PutTextField(data, r.reason);
    PutField<int64_t>(data, absl::ToInt64Microseconds(r.created_at - kPgEpoch));
    if (r.sources.empty()) {
      PutBig<int32_t>(data, -1);
    } else {
      PutArrayField(data, r.sources);
    }
    if (r.scada_values.empty()) {
      PutBig<int32_t>(data, -1);
    } else {
      PutArrayField(data, r.scada_values);
    }
    if (r.status_codes.empty()) {
      PutBig<int32_t>(data, -1);
    } else {
      PutArrayField(data, r.status_codes);
    }
  }
  PutBig<int16_t>(data, -1);
}

}  // namespace

absl::Status PgStore::Atomically(absl::FunctionRef<absl::Status()> fn) {
  return pool_.Transact([&](pg::Transaction&) { return fn(); });
}

absl::StatusOr<MeteringPoint> PgStore::InsertPoint(const MeteringPoint& point) {
  pg::Params params = PointParams(point);
  params.Add(point.version).Add(point.create_time).Add(point.update_time);
  absl::StatusOr<pg::Result> res = pool_.Execute(q::kInsertPoint, params);
  if (!res.ok()) {
    const std::string constraint = pg::ConstraintOf(res.status());
    if (constraint == "metering_points_code_key") {
      return absl::AlreadyExistsError(
          absl::StrCat("point.code: a metering point ", point.code, " exists"));
    }
    if (constraint == "metering_points_eic") {
      return absl::AlreadyExistsError(
          absl::StrCat("point.eic: another metering point has EIC ", point.eic));
    }
    return res.status();
  }
  return ReadPoint((*res)[0]);
}

absl::Status PgStore::UpdatePoint(const MeteringPoint& point, int64_t prev_version) {
  pg::Params params = PointParams(point);
  params.Add(point.version).Add(point.update_time).Add(prev_version);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kUpdatePoint, params));
  if (res.affected() != 1) {
    return absl::AbortedError(
        absl::StrCat("metering point ", point.code, " was changed concurrently; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<MeteringPoint> PgStore::GetPoint(const std::string& code) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetPoint, code));
  if (res.empty()) return NotFound("metering point", code);
  return ReadPoint(res[0]);
}

absl::StatusOr<std::vector<MeteringPoint>> PgStore::FindPoints(
    absl::Span<const std::string> codes) {
  pg::Params params;
  params.AddTextArray(std::vector<std::string>(codes.begin(), codes.end()));
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kFindPoints, params));
  std::vector<MeteringPoint> out;
  for (pg::Row row : res) {
    ASSIGN_OR_RETURN(MeteringPoint p, ReadPoint(row));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<IntervalTotals> PgStore::CountIntervals(absl::CivilDay from, absl::CivilDay to) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kCountIntervals, FormatDate(from), FormatDate(to)));
  return IntervalTotals{res[0].Int(0), res[0].Int(1)};
}

absl::StatusOr<ListPage<MeteringPoint>> PgStore::ListPoints(const PointFilter& filter,
                                                            const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kListPoints, filter.participant_id, filter.substation_code,
                              page.After(0), page.size + 1));
  std::vector<MeteringPoint> rows;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(MeteringPoint p, ReadPoint(r));
    rows.push_back(std::move(p));
  }
  return paging::CutPage(std::move(rows), page,
                         [](const MeteringPoint& p) { return paging::PageKey{p.code}; });
}

absl::StatusOr<std::vector<DayRow>> PgStore::LatestDays(absl::Span<const DayKey> keys) {
  if (keys.empty()) return std::vector<DayRow>();
  std::vector<int64_t> points;
  std::vector<int64_t> channels;
  std::vector<std::string> days;
  absl::CivilDay min = keys[0].day;
  absl::CivilDay max = keys[0].day;
  for (const DayKey& k : keys) {
    points.push_back(k.point_id);
    channels.push_back(static_cast<int64_t>(k.channel));
    days.push_back(FormatDate(k.day));
    min = std::min(min, k.day);
    max = std::max(max, k.day);
  }
  pg::Params params;
  params.AddIntArray(points).AddIntArray(channels).AddTextArray(days).Add(min).Add(max);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kLatestDays, params));
  return ReadDayRows(res);
}

absl::Status PgStore::EnsurePartitions(pg::Transaction& tx, absl::Span<const DayRow> rows) {
  std::vector<absl::CivilMonth> missing;
  {
    absl::MutexLock lock(&mu_);
    for (const DayRow& r : rows) {
      absl::CivilMonth m(r.key.day);
      if (partitions_.contains(MonthKey(r.key.day))) continue;
      if (std::find(missing.begin(), missing.end(), m) == missing.end()) missing.push_back(m);
    }
  }
  for (absl::CivilMonth m : missing) {
    const std::string name = absl::StrFormat("reading_days_%04d_%02d", m.year(), m.month());
    ASSIGN_OR_RETURN(pg::Result exists, tx.Exec(q::kPartitionExists, name));
    if (!exists[0].Bool("present")) {
      RETURN_IF_ERROR(tx.Exec(q::kEnsurePartition, FormatDate(absl::CivilDay(m))).status());
    }
    absl::MutexLock lock(&mu_);
    partitions_.insert(MonthKey(absl::CivilDay(m)));
  }
  return absl::OkStatus();
}

absl::Status PgStore::WriteDays(absl::Span<const DayRow> rows) {
  if (rows.empty()) return absl::OkStatus();
  absl::Status st = pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(EnsurePartitions(tx, rows));
    std::string data;
    const char* sql = nullptr;
    if (method_ == WriteMethod::kCopyBinary) {
      data.reserve(rows.size() * (rows[0].values.size() * 28 + 256) + 32);
      AppendBinaryCopy(data, rows);
      sql = q::kCopyDaysBinary;
    } else {
      data.reserve(rows.size() * (rows[0].values.size() * 12 + 128));
      for (const DayRow& r : rows) AppendTextCopyRow(data, r);
      sql = q::kCopyDays;
    }
    ASSIGN_OR_RETURN(int64_t copied, tx.connection().CopyIn(sql, data));
    if (copied != static_cast<int64_t>(rows.size())) {
      return absl::InternalError(
          absl::StrCat("copy stored ", copied, " of ", rows.size(), " point-days"));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) {
    // The partition hint may be stale (its creation rolled back with a caller's transaction).
    absl::MutexLock lock(&mu_);
    partitions_.clear();
  }
  return MapWriteError(st);
}

absl::StatusOr<std::vector<DayRow>> PgStore::ReadDays(const DayRange& range) {
  std::vector<int64_t> channels;
  for (Channel c : range.channels) channels.push_back(static_cast<int64_t>(c));
  pg::Params params;
  params.AddIntArray(range.point_ids).AddIntArray(channels).Add(range.from).Add(range.to);
  switch (range.as_of.kind) {
    case AsOf::Kind::kLatest:
      params.Add(kAnyRevision).Add("infinity");
      break;
    case AsOf::Kind::kRevision:
      params.Add(range.as_of.revision).Add("infinity");
      break;
    case AsOf::Kind::kTime:
      params.Add(kAnyRevision).Add(range.as_of.time);
      break;
  }
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kReadDays, params));
  return ReadDayRows(res);
}

absl::Status PgStore::InsertImportJob(const ImportJob& job, const ImportFile& file) {
  absl::Status st = pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(jobs::PgJobs::Insert(tx, job.id, kImportJobKind, job.create_time));
    RETURN_IF_ERROR(tx.Exec(q::kInsertImportJob, job.id, job.request_id, job.fingerprint, job.actor,
                            job.file_name, job.total, job.readings)
                        .status());
    pg::Params params;
    params.Add(job.id)
        .AddBytes(file.content)
        .Add(static_cast<int64_t>(file.format))
        .Add(static_cast<int64_t>(file.encoding))
        .Add(static_cast<int64_t>(file.unit))
        .Add(static_cast<int64_t>(file.source));
    return tx.Execute(q::kInsertImportFile, params).status();
  });
  // The job's id is derived from the request_id: a taken id is a taken request_id.
  if (st.code() == absl::StatusCode::kAlreadyExists ||
      pg::ConstraintOf(st) == "import_jobs_request_id_key") {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: an import with request_id ", job.request_id, " exists"));
  }
  return st;
}

absl::StatusOr<ImportJob> PgStore::GetImportJob(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetImportJob, id));
  if (res.empty()) return NotFound("import job", id);
  return ReadJob(res[0]);
}

absl::StatusOr<ImportJob> PgStore::FindImportJob(const std::string& request_id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFindImportJob, request_id));
  if (res.empty()) return NotFound("import job with request_id", request_id);
  return ReadJob(res[0]);
}

absl::StatusOr<ListPage<ImportJob>> PgStore::ListImports(const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kListImports, page.After(0), page.After(1), page.size + 1));
  std::vector<std::pair<ImportJob, paging::PageKey>> rows;
  for (const pg::Row& row : res) {
    ASSIGN_OR_RETURN(ImportJob job, ReadJob(row));
    paging::PageKey key{row.String("create_key"), job.id};
    rows.emplace_back(std::move(job), std::move(key));
  }
  auto cut = paging::CutPage(std::move(rows), page, [](const auto& r) { return r.second; });
  ListPage<ImportJob> out;
  out.next = std::move(cut.next);
  for (auto& r : cut.items) out.items.push_back(std::move(r.first));
  return out;
}

absl::StatusOr<ListPage<ImportJob>> PgStore::ImportChanges(const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kImportChanges, page.After(0), page.After(1), page.size));
  ListPage<ImportJob> out;
  for (const pg::Row& row : res) {
    ASSIGN_OR_RETURN(ImportJob job, ReadJob(row));
    out.items.push_back(std::move(job));
  }
  if (!res.empty()) {
    const pg::Row last = res[res.size() - 1];
    out.next = {last.String("change_xid"), absl::StrCat(last.Int("change_seq"))};
  }
  return out;
}

absl::StatusOr<int64_t> PgStore::DeleteEndedImportFiles(absl::Time ended_before) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kDeleteEndedImportFiles, ended_before));
  return res.affected();
}

absl::StatusOr<ImportFile> PgStore::GetImportFile(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetImportFile, id));
  if (res.empty()) return NotFound("file of import job", id);
  ImportFile f;
  f.content = res[0].Bytes("content");
  f.format = static_cast<ImportFormat>(res[0].Int("format"));
  f.encoding = static_cast<TextEncoding>(res[0].Int("encoding"));
  f.unit = static_cast<EnergyUnit>(res[0].Int("unit"));
  f.source = static_cast<Source>(res[0].Int("source"));
  return f;
}

absl::StatusOr<jobs::Completion> PgStore::StoreImportPiece(
    const jobs::Claim& claim, absl::FunctionRef<absl::StatusOr<IngestSummary>()> ingest,
    const std::string& result, absl::Time now) {
  absl::StatusOr<jobs::Completion> done = pool_.TransactValue<jobs::Completion>(
      [&](pg::Transaction& tx) -> absl::StatusOr<jobs::Completion> {
        ASSIGN_OR_RETURN(bool held, jobs::PgJobs::FencePiece(tx, claim));
        if (!held) return jobs::Completion::kDiscarded;
        ASSIGN_OR_RETURN(IngestSummary s, ingest());
        std::vector<std::string> keys;
        std::vector<std::string> reasons;
        for (const Rejection& r : s.rejections) {
          keys.push_back(r.key);
          reasons.push_back(r.reason);
        }
        pg::Params params;
        params.Add(claim.job_id)
            .Add(s.accepted)
            .Add(s.unchanged)
            .Add(s.revised)
            .Add(s.rejected)
            .Add(s.revisions_written)
            .Add(s.flagged)
            .AddTextArray(keys)
            .AddTextArray(reasons)
            .Add(s.missing)
            .Add(s.status_flagged);
        RETURN_IF_ERROR(tx.Execute(q::kAddImportCounts, params).status());
        return jobs::PgJobs::CompletePiece(tx, claim, result, now);
      });
  // Taken over after the fence: rolled back, the new holder stores the point.
  if (!done.ok() && jobs::PgJobs::IsClaimLost(done.status())) return jobs::Completion::kDiscarded;
  return done;
}

absl::Status PgStore::SetImportError(const std::string& id, const std::string& error) {
  return pool_.Exec(q::kSetImportError, id, error).status();
}

}  // namespace gridbill::metering
