// The gRPC classes of the invoicing service: proto <-> domain, Status <->
// grpc::Status, nothing else. Mutations run under the idempotency guard.
#pragma once

#include "accounts.h"
#include "documents.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "invoice_runs.h"

namespace gridbill::invoicing {

class BillingPeriodServiceImpl final : public v1::BillingPeriodService::Service {
 public:
  BillingPeriodServiceImpl(Documents& documents, Idempotency& idempotency)
      : documents_(documents), idempotency_(idempotency) {}
  grpc::Status GetPeriod(grpc::ServerContext* ctx, const v1::GetPeriodRequest* req,
                         v1::GetPeriodResponse* resp) override;
  grpc::Status ListPeriods(grpc::ServerContext* ctx, const v1::ListPeriodsRequest* req,
                           v1::ListPeriodsResponse* resp) override;
  grpc::Status TransitionPeriod(grpc::ServerContext* ctx, const v1::TransitionPeriodRequest* req,
                                v1::TransitionPeriodResponse* resp) override;
  grpc::Status ListVatRates(grpc::ServerContext* ctx, const v1::ListVatRatesRequest* req,
                            v1::ListVatRatesResponse* resp) override;

 private:
  Documents& documents_;
  Idempotency& idempotency_;
};

class InvoiceRunServiceImpl final : public v1::InvoiceRunService::Service {
 public:
  InvoiceRunServiceImpl(InvoiceRuns& runs, Idempotency& idempotency)
      : runs_(runs), idempotency_(idempotency) {}
  grpc::Status StartInvoiceRun(grpc::ServerContext* ctx, const v1::StartInvoiceRunRequest* req,
                               v1::StartInvoiceRunResponse* resp) override;
  grpc::Status GetInvoiceRun(grpc::ServerContext* ctx, const v1::GetInvoiceRunRequest* req,
                             v1::GetInvoiceRunResponse* resp) override;
  grpc::Status ListInvoiceRuns(grpc::ServerContext* ctx, const v1::ListInvoiceRunsRequest* req,
                               v1::ListInvoiceRunsResponse* resp) override;
  grpc::Status CancelInvoiceRun(grpc::ServerContext* ctx, const v1::CancelInvoiceRunRequest* req,
                                v1::CancelInvoiceRunResponse* resp) override;

 private:
  InvoiceRuns& runs_;
  Idempotency& idempotency_;
};

class DocumentServiceImpl final : public v1::DocumentService::Service {
 public:
  explicit DocumentServiceImpl(Documents& documents) : documents_(documents) {}
  grpc::Status GetDocument(grpc::ServerContext* ctx, const v1::GetDocumentRequest* req,
                           v1::GetDocumentResponse* resp) override;
  grpc::Status ListDocuments(grpc::ServerContext* ctx, const v1::ListDocumentsRequest* req,
                             v1::ListDocumentsResponse* resp) override;
  grpc::Status GetDocumentPdf(grpc::ServerContext* ctx, const v1::GetDocumentPdfRequest* req,
                              v1::GetDocumentPdfResponse* resp) override;
  grpc::Status GetDocumentXml(grpc::ServerContext* ctx, const v1::GetDocumentXmlRequest* req,
                              v1::GetDocumentXmlResponse* resp) override;

 private:
  Documents& documents_;
};

class PaymentServiceImpl final : public v1::PaymentService::Service {
 public:
  PaymentServiceImpl(Accounts& accounts, Idempotency& idempotency)
      : accounts_(accounts), idempotency_(idempotency) {}
  grpc::Status ImportPayments(grpc::ServerContext* ctx, const v1::ImportPaymentsRequest* req,
                              v1::ImportPaymentsResponse* resp) override;
  grpc::Status ListPayments(grpc::ServerContext* ctx, const v1::ListPaymentsRequest* req,
                            v1::ListPaymentsResponse* resp) override;
  grpc::Status GetAccountBalance(grpc::ServerContext* ctx, const v1::GetAccountBalanceRequest* req,
                                 v1::GetAccountBalanceResponse* resp) override;
  grpc::Status GetStatement(grpc::ServerContext* ctx, const v1::GetStatementRequest* req,
                            v1::GetStatementResponse* resp) override;
  grpc::Status GetAging(grpc::ServerContext* ctx, const v1::GetAgingRequest* req,
                        v1::GetAgingResponse* resp) override;

 private:
  Accounts& accounts_;
  Idempotency& idempotency_;
};

class ErpExportServiceImpl final : public v1::ErpExportService::Service {
 public:
  explicit ErpExportServiceImpl(Documents& documents) : documents_(documents) {}
  grpc::Status ExportPeriod(grpc::ServerContext* ctx, const v1::ExportPeriodRequest* req,
                            v1::ExportPeriodResponse* resp) override;

 private:
  Documents& documents_;
};

}  // namespace gridbill::invoicing
