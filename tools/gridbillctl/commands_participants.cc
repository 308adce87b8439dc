// gridbillctl participants ...
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

std::string Roles(const v1::Participant& p) {
  std::vector<std::string> roles;
  for (int r : p.roles()) roles.push_back(ShortName(static_cast<v1::ParticipantRole>(r)));
  return absl::StrJoin(roles, ",");
}

std::string ParticipantDetails(const v1::Participant& p) {
  const absl::TimeZone zone = DisplayZone();
  std::string bank;
  if (p.has_bank_account()) {
    const auto& b = p.bank_account();
    bank = absl::StrCat(b.iik(), "\n", b.bank_name(), " (BIK ", b.bik(), "), KBE ", b.kbe());
  }
  std::vector<std::string> contacts;
  for (const auto& c : p.contacts()) {
    std::vector<std::string> parts;
    for (const std::string* s : {&c.name(), &c.position(), &c.phone(), &c.email()}) {
      if (!s->empty()) parts.push_back(*s);
    }
    contacts.push_back(absl::StrJoin(parts, ", "));
  }
  return RenderFields({{"ID", p.id()},
                       {"BIN", p.bin()},
                       {"EIC", p.eic()},
                       {"Legal name", p.legal_name()},
                       {"Short name", p.short_name()},
                       {"Roles", Roles(p)},
                       {"Status", ShortName(p.status())},
                       {"Region", p.region_code()},
                       {"Legal address", p.legal_address()},
                       {"Postal address", p.postal_address()},
                       {"Bank account", bank},
                       {"VAT certificate", p.vat_certificate()},
                       {"Contacts", absl::StrJoin(contacts, "\n")},
                       {"Version", absl::StrCat(p.version())},
                       {"Created", FormatTime(p.create_time(), zone)},
                       {"Updated", FormatTime(p.update_time(), zone)}});
}

int List(Context& ctx, const Args& args) {
  v1::ListParticipantsRequest req;
  CTL_ASSIGN_OR_USAGE(auto status, EnumFlag<v1::ParticipantStatus>(args, "status"));
  CTL_ASSIGN_OR_USAGE(auto role, EnumFlag<v1::ParticipantRole>(args, "role"));
  CTL_ASSIGN_OR_USAGE(int64_t page_size, IntFlag(args, "page-size", 0));
  req.set_status(status);
  req.set_role(role);
  req.set_region_code(args.Get("region"));
  req.set_query(args.Get("query"));
  req.set_bin(args.Get("bin"));
  req.set_page_size(static_cast<int32_t>(page_size));
  req.set_page_token(args.Get("page-token"));
  v1::ListParticipantsResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), ctx.client().participants(),
                &v1::ParticipantService::Stub::ListParticipants, req, args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"ID"},
           {"BIN"},
           {"SHORT NAME", Table::Align::kLeft, 44},
           {"ROLES"},
           {"REGION"},
           {"STATUS"}});
  for (const auto& p : resp.participants()) {
    t.AddRow({p.id(), p.bin(), p.short_name(), Roles(p), p.region_code(), ShortName(p.status())});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.participants_size()), resp.total_size(),
                          resp.next_page_token());
  return kExitOk;
}

int Get(Context& ctx, const Args& args) {
  v1::GetParticipantRequest req;
  req.set_id(args.positional()[0]);
  v1::GetParticipantResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().participants(),
                                      &v1::ParticipantService::Stub::GetParticipant, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.participant());
  } else {
    ctx.out() << ParticipantDetails(resp.participant());
  }
  return kExitOk;
}

int Create(Context& ctx, const Args& args) {
  v1::CreateParticipantRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  v1::Participant& p = *req.mutable_participant();
  p.set_bin(args.Get("bin"));
  p.set_eic(args.Get("eic"));
  p.set_legal_name(args.Get("legal-name"));
  p.set_short_name(args.Get("short-name", args.Get("legal-name")));
  p.set_region_code(args.Get("region"));
  p.set_legal_address(args.Get("address"));
  p.set_postal_address(args.Get("postal-address"));
  p.set_vat_certificate(args.Get("vat-certificate"));
  for (const std::string& value : args.GetAll("role")) {
    for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      auto role = ParseEnum<v1::ParticipantRole>(std::string_view(part.data(), part.size()));
      if (!role.ok()) return ctx.Usage(absl::StrCat("--role: ", role.status().message()));
      p.add_roles(*role);
    }
  }
  if (args.Has("status")) {
    CTL_ASSIGN_OR_USAGE(auto status, EnumFlag<v1::ParticipantStatus>(args, "status"));
    p.set_status(status);
  }
  if (args.Has("iik") || args.Has("bik") || args.Has("bank-name") || args.Has("kbe")) {
    auto* b = p.mutable_bank_account();
    b->set_iik(args.Get("iik"));
    b->set_bik(args.Get("bik"));
    b->set_bank_name(args.Get("bank-name"));
    b->set_kbe(args.Get("kbe", "17"));
  }
  if (args.Has("contact-name")) {
    auto* c = p.add_contacts();
    c->set_name(args.Get("contact-name"));
    c->set_position(args.Get("contact-position"));
    c->set_phone(args.Get("contact-phone"));
    c->set_email(args.Get("contact-email"));
  }
  if (p.bin().empty() || p.legal_name().empty() || p.roles().empty()) {
    return ctx.Usage("--bin, --legal-name and --role are required");
  }
  v1::CreateParticipantResponse resp;
  grpc::Status st =
      ctx.client().Call(ctx.client().participants(),
                        &v1::ParticipantService::Stub::CreateParticipant, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.participant());
  } else {
    ctx.out() << ParticipantDetails(resp.participant());
  }
  return kExitOk;
}

int History(Context& ctx, const Args& args) {
  return ShowHistory(ctx, ctx.client().participants(),
                     &v1::ParticipantService::Stub::ListParticipantHistory, args.positional()[0]);
}

}  // namespace

void AddParticipantCommands(std::vector<Command>& out) {
  std::vector<FlagSpec> list_flags = {
      {"status", "STATUS", "active, suspended or terminated"},
      {"role", "ROLE", "generator, consumer, distribution_company, energy_supplier, ..."},
      {"region", "CODE", "region code, e.g. KZ-55"},
      {"query", "TEXT", "BIN, short or legal name contains"},
      {"bin", "BIN", "exactly this BIN"}};
  for (auto& f : PageFlags()) list_flags.push_back(f);
  out.push_back(
      {"participants", "list", "", 0, 0, "List market participants", list_flags, "", List});
  out.push_back({"participants", "get", "ID", 1, 1, "Show one participant", {}, "", Get});
  out.push_back({"participants",
                 "create",
                 "",
                 0,
                 0,
                 "Register a market participant",
                 {{"bin", "BIN", "business identification number, 12 digits (required)"},
                  {"legal-name", "NAME", "full legal name (required)"},
                  {"short-name", "NAME", "short name (default: the legal name)"},
                  {"role", "ROLE[,ROLE]", "market role(s) (required)", true},
                  {"eic", "EIC", "EIC code, 16 characters"},
                  {"region", "CODE", "region code, e.g. KZ-71"},
                  {"address", "TEXT", "legal address"},
                  {"postal-address", "TEXT", "postal address"},
                  {"status", "STATUS", "active (default) or suspended"},
                  {"iik", "IIK", "bank account (KZ IBAN)"},
                  {"bik", "BIK", "bank identification code"},
                  {"bank-name", "NAME", "bank name"},
                  {"kbe", "KBE", "beneficiary code (default 17)"},
                  {"contact-name", "NAME", "contact person"},
                  {"contact-position", "TEXT", "contact's position"},
                  {"contact-phone", "PHONE", "contact's phone"},
                  {"contact-email", "EMAIL", "contact's e-mail"},
                  {"vat-certificate", "TEXT", "VAT certificate series and number"},
                  {"request-id", "ID", "idempotency key (default: a new random one)"}},
                 "",
                 Create});
  out.push_back({"participants",
                 "history",
                 "ID",
                 1,
                 1,
                 "Show a participant's change history",
                 {},
                 "",
                 History});
}

}  // namespace gridbill::ctl
