// proto <-> domain conversion for the invoicing service's edge.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "accounts.h"
#include "documents.h"
#include "gridbill/invoicing/v1/invoicing.pb.h"
#include "model.h"

namespace gridbill::invoicing {

namespace v1 = ::gridbill::invoicing::v1;

void ToProto(const PeriodView& p, v1::Period* out);
void ToProto(const VatRate& r, v1::VatRate* out);
void ToProto(const Line& l, v1::DocumentLine* out);
// `open_tiyn`: the open amount of a receivable (0 for others).
void ToProto(const Document& d, v1::Document* out);
void ToProto(const InvoiceRun& r, v1::InvoiceRun* out);
void ToProto(const Payment& p, v1::Payment* out);
void ToProto(const ContractBalance& b, v1::AccountBalance* out);

absl::StatusOr<PeriodState> FromProto(v1::PeriodState s, const std::string& field);
absl::StatusOr<RunType> FromProto(v1::RunType t, const std::string& field);
absl::StatusOr<std::optional<DocType>> FromProto(v1::DocumentType t, const std::string& field);
absl::StatusOr<DocumentOrder> FromProto(v1::DocumentOrder o, const std::string& field);

}  // namespace gridbill::invoicing
