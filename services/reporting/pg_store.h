// The reporting store on PostgreSQL: the only file with SQL calls.
#pragma once

#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::reporting {

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status CreateRefresh(const Refresh& refresh, const std::vector<jobs::PieceSpec>& pieces,
                             absl::Time now) override;
  absl::StatusOr<Refresh> GetRefresh(const std::string& id) override;
  absl::StatusOr<std::optional<Freshness>> LatestFreshness() override;
  absl::StatusOr<std::string> Cursor(const std::string& source) override;
  absl::StatusOr<std::set<std::string>> RunsRead() override;
  absl::StatusOr<jobs::Completion> StoreParticipants(const jobs::Claim& claim,
                                                     const std::vector<ParticipantInfo>& rows,
                                                     absl::Time now) override;
  absl::StatusOr<jobs::Completion> StoreDocuments(
      const jobs::Claim& claim, const std::vector<InvoiceRunInfo>& runs,
      const std::vector<std::string>& runs_read, const std::vector<DocumentInfo>& documents,
      const SourceCount& count, const std::string& cursor, absl::Time now) override;
  absl::StatusOr<jobs::Completion> StorePayments(const jobs::Claim& claim,
                                                 const std::vector<PaymentInfo>& rows,
                                                 const SourceCount& count,
                                                 const std::string& cursor,
                                                 absl::Time now) override;
  absl::StatusOr<std::vector<ServiceMonth>> ServiceMonths(absl::CivilMonth from,
                                                          absl::CivilMonth to,
                                                          const std::string& region_code,
                                                          const std::string& participant_id,
                                                          int service_type) override;
  absl::StatusOr<std::vector<PeriodDocuments>> DocumentsByPeriod(
      absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code) override;
  absl::StatusOr<std::vector<PeriodPayments>> PaymentsByPeriod(
      absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code) override;
  absl::StatusOr<std::vector<Receivables>> ReceivablesOf(
      absl::CivilMonth from, absl::CivilMonth to, absl::CivilDay aging_date,
      const std::string& region_code, const std::string& participant_id) override;

  absl::StatusOr<int64_t> ActOpening(const std::string& participant_id,
                                     absl::CivilDay from) override;
  absl::StatusOr<std::vector<ActLine>> ActLines(const std::string& participant_id,
                                                absl::CivilDay from, absl::CivilDay until) override;
  absl::StatusOr<std::map<absl::CivilMonth, std::string>> BillingRunsRead() override;
  absl::StatusOr<jobs::Completion> StoreNodeMonths(const jobs::Claim& claim,
                                                   const std::vector<BillingRunRef>& runs,
                                                   const std::vector<NodeMonth>& rows,
                                                   const SourceCount& count,
                                                   const std::string& cursor,
                                                   absl::Time now) override;
  absl::StatusOr<jobs::Completion> StoreApplications(const jobs::Claim& claim,
                                                     const std::vector<ApplicationInfo>& rows,
                                                     const SourceCount& count,
                                                     const std::string& cursor,
                                                     absl::Time now) override;
  absl::StatusOr<std::vector<NodeMonth>> NodeMonths(absl::CivilMonth from, absl::CivilMonth to,
                                                    const std::string& node_code) override;
  absl::StatusOr<std::vector<ApplicationMonth>> ApplicationMonths(absl::Time start, absl::Time end,
                                                                  const std::string& time_zone,
                                                                  const std::string& participant_id,
                                                                  absl::Time as_of) override;
  absl::StatusOr<std::map<absl::CivilMonth, std::string>> QualityPeriodsRead() override;
  absl::StatusOr<jobs::Completion> StorePointQuality(const jobs::Claim& claim,
                                                     const std::vector<BillingRunRef>& runs,
                                                     const std::vector<PointQuality>& rows,
                                                     const SourceCount& count,
                                                     const std::string& cursor,
                                                     absl::Time now) override;
  absl::StatusOr<std::vector<PointQuality>> PointQualityOf(
      absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code,
      const std::string& participant_id) override;
  absl::StatusOr<std::set<std::string>> ForecastRunsRead() override;
  absl::StatusOr<jobs::Completion> StoreForecasts(const jobs::Claim& claim,
                                                  const std::vector<ForecastRunRef>& runs,
                                                  const std::vector<ForecastMonth>& rows,
                                                  const SourceCount& count,
                                                  const std::string& cursor,
                                                  absl::Time now) override;
  absl::StatusOr<std::vector<ForecastMonth>> ForecastsOf(absl::CivilMonth from, absl::CivilMonth to,
                                                         const std::string& region_code,
                                                         const std::string& participant_id,
                                                         int service_type) override;
  absl::Status CreateSchedule(const Schedule& s, absl::Time now) override;
  absl::StatusOr<Schedule> GetSchedule(const std::string& id) override;
  absl::StatusOr<paging::PageOf<Schedule>> ListSchedules(const paging::Page& page) override;
  absl::Status DeleteSchedule(const std::string& id) override;
  absl::StatusOr<std::vector<Schedule>> DueSchedules(absl::Time now) override;
  absl::StatusOr<bool> ClaimSchedule(const std::string& id, absl::Time due, absl::Time next,
                                     absl::Time now) override;
  absl::Status RecordScheduleError(const std::string& id, const std::string& error) override;
  absl::Status StoreFile(const ReportFile& file, const std::string& content) override;
  absl::StatusOr<paging::PageOf<ReportFile>> ListFiles(const std::string& schedule_id,
                                                       const paging::Page& page) override;
  absl::StatusOr<std::pair<ReportFile, std::string>> GetFile(const std::string& id) override;
  absl::StatusOr<int64_t> DeleteExpiredFiles(absl::Time now) override;

 private:
  // Under the piece's claim, in one transaction: `write` (the source's
  // rows), the source's count and cursor, the piece's completion.
  absl::StatusOr<jobs::Completion> StorePiece(
      const jobs::Claim& claim, const SourceCount& count, const std::string& cursor, absl::Time now,
      absl::FunctionRef<absl::Status(pg::Transaction&)> write);

  pg::Pool& pool_;
};

}  // namespace gridbill::reporting
