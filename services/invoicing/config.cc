#include "config.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "gridbill/domain/identifiers.h"

namespace gridbill::invoicing {

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "invoicing", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.time_zone, src.String("time_zone", "Asia/Almaty"));
  ASSIGN_OR_RETURN(c.zone, LoadZone(c.time_zone, "time_zone"));
  ASSIGN_OR_RETURN(c.contracts_address, src.RequiredString("contracts_address"));
  ASSIGN_OR_RETURN(c.balance_address, src.String("balance_address", ""));
  ASSIGN_OR_RETURN(int64_t workers, src.Int("run_workers", c.run_workers, 1, 16));
  c.run_workers = static_cast<int>(workers);
  ASSIGN_OR_RETURN(std::string share, src.String("provisional_share", "0.05"));
  ASSIGN_OR_RETURN(c.run.provisional_share, Decimal::Parse(share, "provisional_share"));
  if (c.run.provisional_share < Decimal() || c.run.provisional_share > Decimal::FromInt(1)) {
    return InvalidField("provisional_share", "must be a share within 0..1");
  }
  ASSIGN_OR_RETURN(int64_t batch, src.Int("issue_batch", c.run.batch, 1, 10000));
  c.run.batch = static_cast<int>(batch);
  ASSIGN_OR_RETURN(c.run.render_pdfs, src.Bool("render_pdf_in_run", c.run.render_pdfs));
  ASSIGN_OR_RETURN(int64_t due, src.Int("note_due_days", c.run.note_due_days, 0, 365));
  c.run.note_due_days = static_cast<int>(due);
  ASSIGN_OR_RETURN(c.run.lease, src.Duration("run_lease", c.run.lease));
  if (c.run.lease < absl::Seconds(1)) return InvalidField("run_lease", "must be at least 1s");
  ASSIGN_OR_RETURN(c.run.worker_id, src.String("worker_id", ""));
  ASSIGN_OR_RETURN(c.pdf_font, src.String("pdf_font", c.pdf_font));
  if (!std::ifstream(c.pdf_font)) {
    return InvalidField("pdf_font",
                        absl::StrCat("cannot read ", c.pdf_font, " (install fonts-dejavu-core)"));
  }
  Seller& s = c.seller;
  ASSIGN_OR_RETURN(s.bin, src.String("seller_bin", "970740000838"));
  RETURN_IF_ERROR(ValidateBin(s.bin, "seller_bin"));
  ASSIGN_OR_RETURN(s.name, src.String("seller_name",
                                      "АО «Казахстанская компания по управлению электрическими "
                                      "сетями» (KEGOC)"));
  ASSIGN_OR_RETURN(s.address,
                   src.String("seller_address", "010000, г. Астана, пр. Тәуелсіздік, 59"));
  ASSIGN_OR_RETURN(s.iik, src.String("seller_iik", "KZ216010111000012345"));
  ASSIGN_OR_RETURN(s.bik, src.String("seller_bik", "HSBKKZKX"));
  ASSIGN_OR_RETURN(s.kbe, src.String("seller_kbe", "16"));
  ASSIGN_OR_RETURN(s.vat_certificate_series, src.String("seller_vat_series", "62001"));
  ASSIGN_OR_RETURN(s.vat_certificate_number, src.String("seller_vat_number", "0000000"));
  ASSIGN_OR_RETURN(s.signatory_position,
                   src.String("seller_signatory_position", "Главный бухгалтер"));
  ASSIGN_OR_RETURN(s.signatory_name, src.String("seller_signatory_name", "________________"));
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::invoicing
