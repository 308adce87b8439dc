// gridbillctl import reference|participants|points FILE.csv
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gridbill/base/sha256.h"
#include "tools/gridbillctl/batch.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/import_format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The summary every import prints; returns the exit code.
int Report(Context& ctx, const std::string& path, int data_rows, const Tally& tally) {
  const int64_t present = tally.replayed() + tally.existing();
  ctx.out() << "imported " << path << ": " << GroupDigits(data_rows) << " rows\n"
            << RenderFields(
                   {{"  created", GroupDigits(tally.created())},
                    {"  already present",
                     absl::StrCat(GroupDigits(present), " (replayed ",
                                  GroupDigits(tally.replayed()), ", registered by another request ",
                                  GroupDigits(tally.existing()), ")")},
                    {"  rejected", GroupDigits(tally.rejected())}});
  const std::vector<std::string> failures = tally.Failures();
  if (!failures.empty()) {
    ctx.out() << "rejected rows:\n";
    for (const auto& f : failures) ctx.out() << "  " << f << "\n";
  }
  return tally.rejected() == 0 ? kExitOk : kExitFailed;
}

int Threads(Context& ctx, const Args& args, int* out) {
  absl::StatusOr<int64_t> n = IntFlag(args, "parallel", 4);
  if (!n.ok()) return ctx.Usage(n.status());
  if (*n < 1 || *n > 64) return ctx.Usage("--parallel: must be between 1 and 64");
  *out = static_cast<int>(*n);
  return kExitOk;
}

// Sends rows with bounded concurrency and tallies the outcomes. `phase_of`
// orders rows into phases run one after the other (a substation needs its
// region first); rows of one phase go in parallel.
template <typename T, typename Send, typename PhaseOf>
void SendRows(const std::vector<ImportRow<T>>& rows, int threads, const std::string& label,
              PhaseOf phase_of, Send send, Tally& tally) {
  Progress progress(label, static_cast<int64_t>(rows.size()));
  std::map<int, std::vector<const ImportRow<T>*>> phases;
  for (const auto& row : rows) phases[phase_of(row.value)].push_back(&row);
  for (const auto& [phase, members] : phases) {
    ParallelFor(static_cast<int64_t>(members.size()), threads, [&](int64_t i) {
      const ImportRow<T>& row = *members[static_cast<size_t>(i)];
      const absl::Time start = absl::Now();
      google::protobuf::Timestamp create_time;
      grpc::Status status = send(row, &create_time);
      const Outcome outcome = Classify(status, create_time, start);
      if (outcome == Outcome::kRejected) {
        tally.Reject(row.line, absl::StrCat("line ", row.line, ": ", MessageOf(status)));
      } else {
        tally.Add(outcome);
      }
      progress.Advance();
    });
  }
  progress.Finish();
}

std::string RequestId(const std::string& digest, int line) {
  return absl::StrCat("import:", digest, ":", line);
}

int ImportReference(Context& ctx, const Args& args) {
  int threads = 0;
  if (int rc = Threads(ctx, args, &threads); rc != kExitOk) return rc;
  const std::string path = args.positional()[0];
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return ctx.Fail(content.status().message());
  absl::StatusOr<ImportFile<v1::ReferenceRecord>> file = ParseReferenceCsv(*content);
  if (!file.ok()) return ctx.Fail(absl::StrCat(path, ": ", file.status().message()));
  const std::string digest = Sha256Hex(*content);
  Tally tally;
  for (const auto& e : file->rejected) tally.Reject(e.line, e.message);
  if (!args.Has("dry-run")) {
    const Client& client = ctx.client();
    SendRows(
        file->rows, threads, "reference",
        [](const v1::ReferenceRecord& r) {
          if (r.kind() == v1::REFERENCE_KIND_SUBSTATION) return 1;
          if (r.kind() == v1::REFERENCE_KIND_POWER_LINE) return 2;
          return 0;
        },
        [&](const ImportRow<v1::ReferenceRecord>& row, google::protobuf::Timestamp* created) {
          v1::CreateReferenceRecordRequest req;
          req.set_request_id(RequestId(digest, row.line));
          *req.mutable_record() = row.value;
          v1::CreateReferenceRecordResponse resp;
          grpc::Status st = client.Call(client.reference(),
                                        &v1::ReferenceDataService::Stub::CreateReferenceRecord, req,
                                        &resp, nullptr, 5);
          *created = resp.record().create_time();
          return st;
        },
        tally);
  } else {
    ctx.out() << "dry run: " << file->rows.size() << " rows would be sent\n";
  }
  return Report(ctx, path, file->data_rows, tally);
}

int ImportParticipants(Context& ctx, const Args& args) {
  int threads = 0;
  if (int rc = Threads(ctx, args, &threads); rc != kExitOk) return rc;
  const std::string path = args.positional()[0];
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return ctx.Fail(content.status().message());
  absl::StatusOr<ImportFile<v1::Participant>> file = ParseParticipantsCsv(*content);
  if (!file.ok()) return ctx.Fail(absl::StrCat(path, ": ", file.status().message()));
  const std::string digest = Sha256Hex(*content);
  Tally tally;
  for (const auto& e : file->rejected) tally.Reject(e.line, e.message);
  if (!args.Has("dry-run")) {
    const Client& client = ctx.client();
    SendRows(
        file->rows, threads, "participants", [](const v1::Participant&) { return 0; },
        [&](const ImportRow<v1::Participant>& row, google::protobuf::Timestamp* created) {
          v1::CreateParticipantRequest req;
          req.set_request_id(RequestId(digest, row.line));
          *req.mutable_participant() = row.value;
          v1::CreateParticipantResponse resp;
          grpc::Status st =
              client.Call(client.participants(), &v1::ParticipantService::Stub::CreateParticipant,
                          req, &resp, nullptr, 5);
          *created = resp.participant().create_time();
          return st;
        },
        tally);
  } else {
    ctx.out() << "dry run: " << file->rows.size() << " rows would be sent\n";
  }
  return Report(ctx, path, file->data_rows, tally);
}

int ImportPoints(Context& ctx, const Args& args) {
  int threads = 0;
  if (int rc = Threads(ctx, args, &threads); rc != kExitOk) return rc;
  const std::string path = args.positional()[0];
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return ctx.Fail(content.status().message());
  absl::StatusOr<ImportFile<metering::v1::MeteringPoint>> file = ParsePointsCsv(*content);
  if (!file.ok()) return ctx.Fail(absl::StrCat(path, ": ", file.status().message()));
  const std::string digest = Sha256Hex(*content);
  Tally tally;
  for (const auto& e : file->rejected) tally.Reject(e.line, e.message);
  if (!args.Has("dry-run")) {
    const Client& client = ctx.client();
    SendRows(
        file->rows, threads, "points", [](const metering::v1::MeteringPoint&) { return 0; },
        [&](const ImportRow<metering::v1::MeteringPoint>& row,
            google::protobuf::Timestamp* created) {
          metering::v1::CreateMeteringPointRequest req;
          req.set_request_id(RequestId(digest, row.line));
          *req.mutable_point() = row.value;
          metering::v1::CreateMeteringPointResponse resp;
          grpc::Status st =
              client.Call(client.metering_points(),
                          &metering::v1::MeteringPointService::Stub::CreateMeteringPoint, req,
                          &resp, nullptr, 5);
          *created = resp.point().create_time();
          return st;
        },
        tally);
  } else {
    ctx.out() << "dry run: " << file->rows.size() << " rows would be sent\n";
  }
  return Report(ctx, path, file->data_rows, tally);
}

std::vector<FlagSpec> ImportFlags() {
  return {{"parallel", "N", "concurrent calls (default 4)"},
          {"dry-run", "", "read and check the file, send nothing"}};
}

}  // namespace

void AddImportCommands(std::vector<Command>& out) {
  out.push_back(
      {"import", "reference", "FILE.csv", 1, 1, "Import reference records from CSV", ImportFlags(),
       "Header row required. Columns:\n"
       "  kind,code,name,name_kk,valid_from,valid_to,kato_code,nominal_kv,region_code,\n"
       "  voltage_level_code,from_substation_code,to_substation_code,length_m,bik,bin\n"
       "kind, code, name and valid_from are required; the others may be left out of the\n"
       "header. The detail columns belong to one kind each (region: kato_code;\n"
       "voltage_level: nominal_kv; substation: region_code, voltage_level_code; power_line:\n"
       "from/to_substation_code, voltage_level_code, length_m; bank: bik, bin) and must be\n"
       "empty for other kinds. Dates are YYYY-MM-DD; valid_to empty = open-ended.\n"
       "Regions and other kinds are sent first, then substations, then power lines.\n"
       "Each row is one CreateReferenceRecord call with request_id\n"
       "\"import:<sha256 of the file>:<line>\", so importing the same file again changes\n"
       "nothing (as the same --principal: the service ties a request id to its caller).\n"
       "Exit code 0 when no row was rejected, 1 otherwise.",
       ImportReference});
  out.push_back(
      {"import", "participants", "FILE.csv", 1, 1, "Import market participants from CSV",
       ImportFlags(),
       "Header row required. Columns:\n"
       "  bin,eic,legal_name,short_name,legal_address,region_code,roles,status,iik,bik,\n"
       "  bank_name,kbe,contact_name,contact_phone,contact_email,vat_certificate\n"
       "bin, legal_name, short_name and roles are required. roles: one or more of\n"
       "generator, consumer, distribution_company, energy_supplier, single_buyer, trader,\n"
       "exporter, importer separated by ';'. status: empty (active), active or suspended.\n"
       "The bank columns make the bank account, the contact columns one contact person.\n"
       "Each row is one CreateParticipant call with request_id\n"
       "\"import:<sha256 of the file>:<line>\". Exit code 0 when no row was rejected.",
       ImportParticipants});
  out.push_back(
      {"import", "points", "FILE.csv", 1, 1, "Import metering points from CSV", ImportFlags(),
       "Header row required. Columns:\n"
       "  code,eic,name,substation_code,voltage_level_code,channels,meter_serial,ct_ratio,\n"
       "  vt_ratio,resolution,status,valid_from,valid_to,participant_id,assigned_from\n"
       "code, name, channels, resolution and valid_from are required. channels: 01..04\n"
       "separated by ';'. resolution: pt15m, pt30m or pt60m. status: empty (active), active,\n"
       "inactive or decommissioned. participant_id assigns the point from assigned_from\n"
       "(default valid_from). Sent to the metering service (--metering-addr), one\n"
       "CreateMeteringPoint call per row with request_id \"import:<sha256>:<line>\", so the\n"
       "same file again changes nothing. Exit code 0 when no row was rejected.",
       ImportPoints});
}

}  // namespace gridbill::ctl
