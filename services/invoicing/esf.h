// The electronic VAT invoice (ESF) as XML in the InvoiceV2 structure
// (DOMAIN.md; the official ESF SDK schema InvoiceV2.xsd, namespace "v2.esf").
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "model.h"

namespace gridbill::invoicing {

// The element order of an invoice, as written (and checked by the tests).
// A correction (ADDITIONAL_INVOICE) carries relatedInvoice after invoiceType.
inline constexpr const char* kEsfInvoiceOrder[] = {
    "date",         "invoiceType",      "relatedInvoice",
    "num",          "operatorFullname", "turnoverDate",
    "customers",    "deliveryDocNum",   "deliveryDocDate",
    "deliveryTerm", "productSet",       "sellers"};

// ORDINARY_INVOICE for an ESF without a related ESF, ADDITIONAL_INVOICE for
// the ESF of a credit or debit note.
std::string EsfInvoiceType(const Document& esf);

// The ESF number: digits only (the year and the sequence, 11 digits).
std::string EsfNum(const Document& esf);

// The whole invoiceContainer document, UTF-8. `esf` must be an ESF document
// (INVALID_ARGUMENT "type" otherwise). Money has two fraction digits,
// quantities (kWh) three, unit prices at least two.
absl::StatusOr<std::string> RenderEsfXml(const Document& esf, const Seller& seller);

}  // namespace gridbill::invoicing
