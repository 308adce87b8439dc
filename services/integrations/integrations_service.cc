#include "integrations_service.h"

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "erp.h"
#include "esf.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::integrations {
namespace {

void DeliveryToProto(const Delivery& d, v1::Delivery* out) {
  out->set_id(absl::StrCat(d.id));
  out->set_adapter(d.adapter);
  out->set_fact_kind(d.fact_kind);
  out->set_fact_id(d.fact_id);
  out->set_fact_version(d.fact_version);
  out->set_idempotency_key(d.idempotency_key);
  out->set_state(static_cast<v1::DeliveryState>(d.state));
  out->set_attempts(d.attempts);
  if (d.state == DeliveryState::kPending) {
    *out->mutable_next_attempt_time() = ToProtoTime(d.next_attempt_time);
  }
  out->set_last_error(d.last_error);
  out->set_receipt(d.receipt);
  *out->mutable_create_time() = ToProtoTime(d.create_time);
  if (d.finish_time) *out->mutable_finish_time() = ToProtoTime(*d.finish_time);
}

void FiguresToProto(const ErpFigures& f, v1::ReconciliationFigures* out) {
  out->set_documents(f.documents);
  out->set_entry_rows(f.rows);
  out->set_amount_tiyn(f.amount_tiyn);
  out->set_vat_tiyn(f.vat_tiyn);
  out->set_total_tiyn(f.total_tiyn);
}

absl::StatusOr<int64_t> DeliveryId(const std::string& text) {
  int64_t id = 0;
  if (text.empty()) return InvalidField("delivery_id", "required");
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return InvalidField("delivery_id", absl::StrCat(QuoteInput(text), " is not a delivery id"));
  }
  return id;
}

}  // namespace

grpc::Status IntegrationsServiceImpl::ListDeliveries(grpc::ServerContext* ctx,
                                                     const v1::ListDeliveriesRequest* req,
                                                     v1::ListDeliveriesResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  DeliveryFilter filter;
  filter.adapter = req->adapter();
  filter.fact_id = req->fact_id();
  if (req->state() != v1::DELIVERY_STATE_UNSPECIFIED) {
    if (req->state() < v1::DELIVERY_STATE_PENDING || req->state() > v1::DELIVERY_STATE_SKIPPED) {
      return ToGrpc(InvalidField("state", absl::StrCat("unknown state ", req->state())));
    }
    filter.state = static_cast<DeliveryState>(req->state());
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<Delivery> list, store_.List(filter, page));
  for (const Delivery& d : list.items) DeliveryToProto(d, resp->add_deliveries());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

grpc::Status IntegrationsServiceImpl::RetryDelivery(grpc::ServerContext* ctx,
                                                    const v1::RetryDeliveryRequest* req,
                                                    v1::RetryDeliveryResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller&, v1::RetryDeliveryResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(int64_t id, DeliveryId(req->delivery_id()));
                  ASSIGN_OR_RETURN(Delivery d, adapters_.outbox().Retry(id));
                  DeliveryToProto(d, out.mutable_delivery());
                  return absl::OkStatus();
                });
}

grpc::Status IntegrationsServiceImpl::SkipDelivery(grpc::ServerContext* ctx,
                                                   const v1::SkipDeliveryRequest* req,
                                                   v1::SkipDeliveryResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::SkipDeliveryResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(int64_t id, DeliveryId(req->delivery_id()));
                  std::string reason = req->reason();
                  if (!reason.empty()) absl::StrAppend(&reason, " (", who.Actor(), ")");
                  ASSIGN_OR_RETURN(Delivery d, adapters_.outbox().Skip(id, reason));
                  DeliveryToProto(d, out.mutable_delivery());
                  return absl::OkStatus();
                });
}

grpc::Status IntegrationsServiceImpl::ListEsfAtRisk(grpc::ServerContext* ctx,
                                                    const v1::ListEsfAtRiskRequest* req,
                                                    v1::ListEsfAtRiskResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  if (req->within_days() < 0) return ToGrpc(InvalidField("within_days", "must be >= 0"));
  const int within = req->within_days() == 0 ? 5 : req->within_days();
  std::vector<Delivery> open;
  for (DeliveryState state : {DeliveryState::kPending, DeliveryState::kDead}) {
    DeliveryFilter filter;
    filter.adapter = "esf";
    filter.state = state;
    paging::Page page;
    page.size = 1000;
    for (;;) {
      ASSIGN_OR_RETURN_GRPC(paging::PageOf<Delivery> rows, store_.List(filter, page));
      for (const Delivery& d : rows.items) {
        ASSIGN_OR_RETURN_GRPC(Delivery full, store_.Get(d.id));  // with its payload
        open.push_back(std::move(full));
      }
      if (rows.next.empty()) break;
      page.after = rows.next;
    }
  }
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), zone_);
  for (const EsfRisk& r : EsfAtRisk(open, today, within)) {
    v1::EsfAtRisk* out = resp->add_documents();
    DeliveryToProto(r.delivery, out->mutable_delivery());
    out->set_document_number(r.document_number);
    out->mutable_period()->set_year(static_cast<int32_t>(r.period.year()));
    out->mutable_period()->set_month(r.period.month());
    out->mutable_deadline()->set_year(static_cast<int32_t>(r.deadline.year()));
    out->mutable_deadline()->set_month(r.deadline.month());
    out->mutable_deadline()->set_day(r.deadline.day());
    out->set_days_left(r.days_left);
  }
  return grpc::Status::OK;
}

grpc::Status IntegrationsServiceImpl::ListAdapters(grpc::ServerContext* ctx,
                                                   const v1::ListAdaptersRequest* req,
                                                   v1::ListAdaptersResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(std::vector<AdapterStatusRow> rows, adapters_.Status());
  for (const AdapterStatusRow& r : rows) {
    v1::AdapterStatus* a = resp->add_adapters();
    a->set_name(r.name);
    a->set_direction(r.inbound ? v1::DIRECTION_INBOUND : v1::DIRECTION_OUTBOUND);
    a->set_enabled(r.enabled);
    if (r.counts.last_success)
      *a->mutable_last_success_time() = ToProtoTime(*r.counts.last_success);
    a->set_last_error(r.counts.last_error);
    if (r.counts.last_error_time) {
      *a->mutable_last_error_time() = ToProtoTime(*r.counts.last_error_time);
    }
    a->set_backlog(r.counts.pending);
    a->set_dead_letters(r.counts.dead);
    a->set_done(r.counts.done);
  }
  return grpc::Status::OK;
}

grpc::Status IntegrationsServiceImpl::ListReconciliations(grpc::ServerContext* ctx,
                                                          const v1::ListReconciliationsRequest* req,
                                                          v1::ListReconciliationsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  std::string period;
  if (req->has_period()) {
    const common::v1::BillingPeriod& p = req->period();
    if (p.year() < 2000 || p.year() > 2999 || p.month() < 1 || p.month() > 12) {
      return ToGrpc(InvalidField("period", "a month from 2000-01 to 2999-12"));
    }
    period = absl::StrFormat("%04d-%02d", p.year(), p.month());
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page,
                        paging::FromRequest(*req, {.default_size = 20, .max_size = 200}));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<RunReconciliation> runs,
                        ReconcileRuns(store_, period, req->invoice_run_id(), page));
  resp->set_next_page_token(paging::NextToken(*req, runs.next));
  for (const RunReconciliation& r : runs.items) {
    v1::Reconciliation* out = resp->add_reconciliations();
    out->set_invoice_run_id(r.run_id);
    int year = 0, month = 0;
    if (std::sscanf(r.period.c_str(), "%d-%d", &year, &month) == 2) {
      out->mutable_period()->set_year(year);
      out->mutable_period()->set_month(month);
    }
    out->set_run_type(r.run_type);
    out->set_state(static_cast<v1::ReconciliationState>(r.state));
    FiguresToProto(r.invoicing, out->mutable_invoicing());
    FiguresToProto(r.documents, out->mutable_erp_documents());
    FiguresToProto(r.entries, out->mutable_erp_entries());
    out->set_documents_pending(r.documents_pending);
    out->set_documents_undelivered(r.documents_undelivered);
    DeliveryToProto(r.entries_delivery, out->mutable_entries_delivery());
    for (const std::string& gap : r.gaps) out->add_gaps(gap);
  }
  return grpc::Status::OK;
}

}  // namespace gridbill::integrations
