// After an invoice run refused a contract for overlapping another of the
// same participant and service, the operator ends the earlier contract the
// day before the later one starts and runs a correction: the earlier one is
// corrected to its own days, the later one is billed for the first time,
// and together they bill the month's volume exactly once.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "invoicing_harness.h"

namespace gridbill::invoicing::testing {
namespace {

constexpr auto kBalancing = cv1::SERVICE_TYPE_BALANCING;

// Every hour of February 2026 in Almaty (672 hours) at `wh`.
std::vector<std::pair<absl::Time, int64_t>> February2026Hours(int64_t wh) {
  std::vector<std::pair<absl::Time, int64_t>> out;
  for (absl::Time t = Local(2026, 2, 1, 0); t < Local(2026, 3, 1, 0); t += absl::Hours(1)) {
    out.emplace_back(t, wh);
  }
  return out;
}

// Volume and amount of every document of a contract, signed (notes too).
std::pair<int64_t, int64_t> Net(Harness& h, const std::string& contract_id) {
  int64_t volume = 0, amount = 0;
  for (auto type :
       {v1::DOCUMENT_TYPE_INVOICE, v1::DOCUMENT_TYPE_CREDIT_NOTE, v1::DOCUMENT_TYPE_DEBIT_NOTE}) {
    for (const v1::Document& d : h.Documents(contract_id, type)) {
      amount += d.amount_tiyn();
      for (const auto& l : d.lines()) volume += l.volume_wh();
    }
  }
  return {volume, amount};
}

TEST_CASE("a correction run after an overlap refusal bills both contracts their own days") {
  Harness h;
  cv1::Participant r = h.CreateParticipant(31, "ТОО «Павлодар Энерго Сбыт»");
  cv1::Contract first = h.CreateContract(r.id(), "BL-0401", kBalancing);
  cv1::Contract later =
      h.CreateContract(r.id(), "BL-0402", kBalancing, absl::CivilDay(2026, 2, 15), std::nullopt);
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02", BalanceRunType::kFinal);
  h.volumes.Set("bal-2026-02", r.id(), Service::kBalancing, 1'500 * 672);
  h.volumes.SetHours("bal-2026-02", r.id(), Service::kBalancing, February2026Hours(1'500));
  h.clock.Set(Local(2026, 3, 3));

  v1::InvoiceRun run = h.RunInvoicing(2026, 2);
  INFO(run.job().summary() << run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.contracts_failed() == 1);
  CHECK(absl::StrContains(run.job().summary(), "BL-0402 (the later one) is not billed"));
  CHECK(h.Documents(later.id()).empty());
  CHECK(Net(h, first.id()).first == 1'500 * 672);  // the whole month, for now

  // The operator fixes the contracts: BL-0401 ends on 14 February.
  cv1::UpdateContractRequest end;
  end.set_request_id(NewRequestId());
  end.mutable_contract()->set_id(first.id());
  *end.mutable_contract()->mutable_valid_to() = D(2026, 2, 14);
  end.mutable_update_mask()->add_paths("valid_to");
  end.set_reason("replaced by BL-0402 from 15 February");
  end.set_amendment_number("ДС-1");
  *end.mutable_effective_date() = D(2026, 2, 15);
  cv1::UpdateContractResponse ended;
  REQUIRE_OK(h.Call(*h.contract_stub, &cv1::ContractService::Stub::UpdateContract, end, &ended,
                    Who{"operator@kegoc.kz", "ROLE_OPERATOR", ""}));

  h.clock.Set(Local(2026, 3, 5));
  v1::InvoiceRun correction = h.RunInvoicing(2026, 2, v1::RUN_TYPE_CORRECTION);
  INFO(correction.job().summary() << correction.job().error());
  REQUIRE(correction.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(correction.contracts_failed() == 0);

  // BL-0402: its first invoice, 15-28 February.
  auto invoices = h.Documents(later.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(invoices.size() == 1);
  REQUIRE(invoices[0].lines_size() == 1);
  CHECK(invoices[0].lines(0).from_date().day() == 15);
  CHECK(invoices[0].lines(0).to_date().day() == 28);
  CHECK(invoices[0].lines(0).volume_wh() == 1'500 * 14 * 24);
  // BL-0401: corrected down to 1-14 February by its notes.
  CHECK(h.Documents(first.id(), v1::DOCUMENT_TYPE_CREDIT_NOTE).size() == 1);
  const auto [first_volume, first_amount] = Net(h, first.id());
  CHECK(first_volume == 1'500 * 14 * 24);
  // Together: the month once, and the same money as one contract would pay.
  const auto [later_volume, later_amount] = Net(h, later.id());
  CHECK(first_volume + later_volume == 1'500 * 672);
  CHECK(first_amount == invoices[0].amount_tiyn());  // same tariff, same number of hours
  CHECK(later_amount == invoices[0].amount_tiyn());

  // Nothing left to correct.
  v1::InvoiceRun again = h.RunInvoicing(2026, 2, v1::RUN_TYPE_CORRECTION);
  CHECK(again.documents_issued() == 0);
  CHECK(again.contracts_failed() == 0);
}

}  // namespace
}  // namespace gridbill::invoicing::testing
