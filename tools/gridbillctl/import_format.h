// The CSV formats `gridbillctl import` reads and `demo write-csv` writes.
//
// Both have a header row naming the columns (any order; names are matched
// case-insensitively); the required columns must be present, the others may
// be left out. Enum values take the short forms of the command line
// (`substation`, `generator`, `active`); dates are YYYY-MM-DD.
//
// reference:
//   kind,code,name,name_kk,valid_from,valid_to,kato_code,nominal_kv,
//   region_code,voltage_level_code,from_substation_code,to_substation_code,
//   length_m,bik,bin
//   required: kind, code, name, valid_from. The detail columns belong to one
//   kind each and must be empty for the others: region: kato_code;
//   voltage_level: nominal_kv; substation: region_code, voltage_level_code;
//   power_line: from_substation_code, to_substation_code, voltage_level_code,
//   length_m; bank: bik, bin.
//
// participants:
//   bin,eic,legal_name,short_name,legal_address,region_code,roles,status,
//   iik,bik,bank_name,kbe,contact_name,contact_phone,contact_email,
//   vat_certificate
//   required: bin, legal_name, short_name, roles. roles holds one or more
//   roles separated by ';' (`generator;consumer`); status is empty (active)
//   or active / suspended; the bank columns fill the bank account and the
//   contact columns one contact person.
//
// points (metering points):
//   code,eic,name,substation_code,voltage_level_code,channels,meter_serial,
//   ct_ratio,vt_ratio,resolution,status,valid_from,valid_to,participant_id,
//   assigned_from
//   required: code, name, channels, resolution, valid_from. channels holds
//   one or more of 01..04 separated by ';' (`01;02`); resolution is pt15m,
//   pt30m or pt60m; status empty (active), active, inactive or
//   decommissioned; participant_id (optional) assigns the point from
//   assigned_from (default valid_from), open-ended.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/contracts/v1/contracts.pb.h"
#include "gridbill/metering/v1/metering.pb.h"

namespace gridbill::ctl {

namespace v1 = ::gridbill::contracts::v1;

const std::vector<std::string>& ReferenceColumns();
const std::vector<std::string>& ParticipantColumns();
const std::vector<std::string>& PointColumns();

// Sets one column of the points format (PointColumns()) on `point`, as the
// CSV import and `metering points create|update` flags do; "" clears an
// optional field. participant_id and assigned_from are applied by
// AssignFromColumns. Errors are INVALID_ARGUMENT saying what is wrong.
absl::Status SetPointColumn(::gridbill::metering::v1::MeteringPoint& point, std::string_view column,
                            std::string_view value);

// A row read into a resource, with the line it starts on.
template <typename T>
struct ImportRow {
  int line = 0;
  T value;
};

// A row refused before it was sent: "line 12, column 3 (kind): unknown ...".
struct RowError {
  int line = 0;
  std::string message;
};

template <typename T>
struct ImportFile {
  std::vector<ImportRow<T>> rows;
  std::vector<RowError> rejected;  // client-side errors, in line order
  int data_rows = 0;               // rows after the header, good and bad
};

// Reads a whole file. A file-level problem (no header, an unknown, duplicate
// or missing required column) is INVALID_ARGUMENT; row problems are
// `rejected` entries and do not stop the others.
absl::StatusOr<ImportFile<v1::ReferenceRecord>> ParseReferenceCsv(std::string_view content);
absl::StatusOr<ImportFile<v1::Participant>> ParseParticipantsCsv(std::string_view content);
absl::StatusOr<ImportFile<::gridbill::metering::v1::MeteringPoint>> ParsePointsCsv(
    std::string_view content);

// One record as fields in ReferenceColumns() / ParticipantColumns() order.
std::vector<std::string> ReferenceCsvFields(const v1::ReferenceRecord& record);
std::vector<std::string> ParticipantCsvFields(const v1::Participant& participant);

}  // namespace gridbill::ctl
