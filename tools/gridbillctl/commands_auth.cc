// gridbillctl auth ... and audit ...: the gateway's own API (sign-in, users,
// API keys, the audit trail). These commands always talk to the gateway:
// --gateway, else $GRIDBILL_GATEWAY, else 127.0.0.1:7100.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gridbill/gateway/v1/gateway.grpc.pb.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

namespace gv1 = ::gridbill::gateway::v1;

struct Gateway {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<gv1::AuthService::Stub> auth;
  std::unique_ptr<gv1::AuditService::Stub> audit;
};

Gateway Connect() {
  const std::string addr = GatewayAddress().empty() ? "127.0.0.1:7100" : GatewayAddress();
  Gateway g;
  g.channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  g.auth = gv1::AuthService::NewStub(g.channel);
  g.audit = gv1::AuditService::NewStub(g.channel);
  return g;
}

// The password: --password-file, else $GRIDBILL_PASSWORD, else one line of
// standard input. Trailing whitespace (the file's newline) is not part of it.
absl::StatusOr<std::string> Password(const Args& args) {
  std::string text;
  if (args.Has("password-file")) {
    std::ifstream in(args.Get("password-file"));
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("--password-file: cannot read \"", args.Get("password-file"), "\""));
    }
    std::getline(in, text);
  } else if (const char* env = std::getenv("GRIDBILL_PASSWORD"); env != nullptr && *env != '\0') {
    text = env;
  } else {
    std::getline(std::cin, text);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  if (text.empty()) {
    return absl::InvalidArgumentError(
        "password: empty (give --password-file, $GRIDBILL_PASSWORD or a line on standard input)");
  }
  return text;
}

absl::StatusOr<std::vector<common::v1::Role>> RolesFlag(const Args& args) {
  std::vector<common::v1::Role> roles;
  for (const std::string& value : args.GetAll("roles")) {
    for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      absl::StatusOr<common::v1::Role> role =
          ParseEnum<common::v1::Role>(std::string_view(part.data(), part.size()));
      if (!role.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--roles: ", std::string(role.status().message())));
      }
      roles.push_back(*role);
    }
  }
  if (roles.empty()) return absl::InvalidArgumentError("--roles: at least one role is required");
  return roles;
}

std::string RoleNames(const google::protobuf::RepeatedField<int>& roles) {
  std::vector<std::string> names;
  for (int r : roles) names.push_back(ShortName(static_cast<common::v1::Role>(r)));
  return absl::StrJoin(names, ",");
}

int SignIn(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::SignInRequest req;
  req.set_username(args.Get("user"));
  if (req.username().empty()) return ctx.Usage("--user is required");
  CTL_ASSIGN_OR_USAGE(*req.mutable_password(), Password(args));
  gv1::SignInResponse resp;
  grpc::Status st = ctx.client().Call(*g.auth, &gv1::AuthService::Stub::SignIn, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  // The token alone on standard output, for `export GRIDBILL_TOKEN=$(...)`.
  ctx.out() << resp.tokens().access_token() << "\n";
  ctx.err() << "signed in as " << resp.user().username() << " (" << RoleNames(resp.user().roles())
            << "); the access token expires "
            << FormatTime(resp.tokens().access_expire_time(), DisplayZone()) << "\n";
  return kExitOk;
}

int CreateUser(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::CreateUserRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.mutable_user()->set_username(args.positional()[0]);
  CTL_ASSIGN_OR_USAGE(auto roles, RolesFlag(args));
  for (auto r : roles) req.mutable_user()->add_roles(r);
  req.mutable_user()->set_participant_id(args.Get("participant-id"));
  CTL_ASSIGN_OR_USAGE(*req.mutable_password(), Password(args));
  gv1::CreateUserResponse resp;
  grpc::Status st =
      ctx.client().Call(*g.auth, &gv1::AuthService::Stub::CreateUser, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "created user " << resp.user().username() << " (" << resp.user().id() << "), roles "
            << RoleNames(resp.user().roles())
            << (resp.user().participant_id().empty()
                    ? std::string()
                    : absl::StrCat(", participant ", resp.user().participant_id()))
            << "\n";
  return kExitOk;
}

int CreateApiKey(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::CreateApiKeyRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.mutable_api_key()->set_name(args.positional()[0]);
  CTL_ASSIGN_OR_USAGE(auto roles, RolesFlag(args));
  for (auto r : roles) req.mutable_api_key()->add_roles(r);
  req.mutable_api_key()->set_participant_id(args.Get("participant-id"));
  gv1::CreateApiKeyResponse resp;
  grpc::Status st =
      ctx.client().Call(*g.auth, &gv1::AuthService::Stub::CreateApiKey, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const gv1::ApiKey& key = resp.api_key();
  if (!resp.secret().empty()) {
    // The secret alone on standard output, for `export GRIDBILL_API_KEY=$(...)`.
    ctx.out() << resp.secret() << "\n";
    ctx.err() << "created API key " << key.id() << " \"" << key.name() << "\", roles "
              << RoleNames(key.roles()) << ": keep the key now, it is not shown again\n";
  } else {
    ctx.err() << "API key " << key.id() << " \"" << key.name()
              << "\" was created by an earlier call with this request id; its secret was shown "
                 "only then\n";
  }
  return kExitOk;
}

int RevokeApiKey(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::RevokeApiKeyRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_id(args.positional()[0]);
  gv1::RevokeApiKeyResponse resp;
  grpc::Status st =
      ctx.client().Call(*g.auth, &gv1::AuthService::Stub::RevokeApiKey, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "revoked API key " << resp.api_key().id() << " \"" << resp.api_key().name()
            << "\"\n";
  return kExitOk;
}

int UnlockUser(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::UnlockUserRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_id(args.positional()[0]);
  gv1::UnlockUserResponse resp;
  grpc::Status st =
      ctx.client().Call(*g.auth, &gv1::AuthService::Stub::UnlockUser, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "unlocked user " << resp.user().username() << " (" << resp.user().id() << ")\n";
  return kExitOk;
}

// Every page of a listing, up to `limit` items.
template <typename Req, typename Resp, typename Stub, typename Method, typename Count>
grpc::Status ListAll(Context& ctx, Stub& stub, Method method, Req req, int64_t limit, Resp* all,
                     Count count) {
  while (count(*all) < limit) {
    req.set_page_size(static_cast<int32_t>(std::min<int64_t>(limit - count(*all), 500)));
    Resp page;
    grpc::Status st = ctx.client().Call(stub, method, req, &page);
    if (!st.ok()) return st;
    all->MergeFrom(page);
    all->clear_next_page_token();
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  return grpc::Status::OK;
}

int ListUsers(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::ListUsersRequest req;
  req.set_participant_id(args.Get("participant-id"));
  CTL_ASSIGN_OR_USAGE(int64_t limit, IntFlag(args, "limit", 1000));
  if (limit <= 0) return ctx.Usage("--limit: must be positive");
  gv1::ListUsersResponse all;
  if (grpc::Status st =
          ListAll(ctx, *g.auth, &gv1::AuthService::Stub::ListUsers, req, limit, &all,
                  [](const gv1::ListUsersResponse& r) { return int64_t{r.users_size()}; });
      !st.ok()) {
    return ctx.Fail(st);
  }
  if (ctx.json()) {
    ctx.PrintJson(all);
    return kExitOk;
  }
  Table t({{"USERNAME", Table::Align::kLeft, 40},
           {"ID"},
           {"ROLES", Table::Align::kLeft, 48},
           {"PARTICIPANT"},
           {"CREATED"},
           {"LOCKED UNTIL"}});
  for (const auto& u : all.users()) {
    t.AddRow({u.username(), u.id(), RoleNames(u.roles()), u.participant_id(),
              FormatTime(u.create_time(), DisplayZone()),
              u.has_locked_until_time() ? FormatTime(u.locked_until_time(), DisplayZone()) : ""});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int ListApiKeys(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::ListApiKeysRequest req;
  req.set_participant_id(args.Get("participant-id"));
  req.set_include_revoked(args.Has("include-revoked"));
  CTL_ASSIGN_OR_USAGE(int64_t limit, IntFlag(args, "limit", 1000));
  if (limit <= 0) return ctx.Usage("--limit: must be positive");
  gv1::ListApiKeysResponse all;
  if (grpc::Status st =
          ListAll(ctx, *g.auth, &gv1::AuthService::Stub::ListApiKeys, req, limit, &all,
                  [](const gv1::ListApiKeysResponse& r) { return int64_t{r.api_keys_size()}; });
      !st.ok()) {
    return ctx.Fail(st);
  }
  if (ctx.json()) {
    ctx.PrintJson(all);
    return kExitOk;
  }
  Table t({{"ID"},
           {"NAME", Table::Align::kLeft, 40},
           {"ROLES", Table::Align::kLeft, 48},
           {"PARTICIPANT"},
           {"CREATED"},
           {"REVOKED"}});
  for (const auto& k : all.api_keys()) {
    t.AddRow({k.id(), k.name(), RoleNames(k.roles()), k.participant_id(),
              FormatTime(k.create_time(), DisplayZone()),
              k.has_revoke_time() ? FormatTime(k.revoke_time(), DisplayZone()) : ""});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

absl::StatusOr<google::protobuf::Timestamp> TimeFlag(const Args& args, const std::string& name) {
  google::protobuf::Timestamp ts;
  const std::string text = args.Get(name);
  if (text.empty()) return ts;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    absl::StatusOr<common::v1::Date> date = ParseDate(text, absl::StrCat("--", name));
    if (!date.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, ": \"", text, "\" is neither a date (YYYY-MM-DD) nor an RFC 3339 time"));
    }
    t = absl::FromCivil(absl::CivilDay(date->year(), date->month(), date->day()), DisplayZone());
  }
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// "PERMISSION_DENIED" for 7.
std::string CodeText(int code) {
  std::string text = Describe(grpc::Status(static_cast<grpc::StatusCode>(code), ""));
  return text.substr(0, text.find(':'));
}

int AuditList(Context& ctx, const Args& args) {
  Gateway g = Connect();
  gv1::ListAuditEntriesRequest req;
  req.set_principal(args.Get("principal"));
  req.set_method(args.Get("method"));
  req.set_participant_id(args.Get("participant-id"));
  CTL_ASSIGN_OR_USAGE(*req.mutable_start_time(), TimeFlag(args, "since"));
  CTL_ASSIGN_OR_USAGE(*req.mutable_end_time(), TimeFlag(args, "until"));
  if (req.start_time().seconds() == 0) req.clear_start_time();
  if (req.end_time().seconds() == 0) req.clear_end_time();
  CTL_ASSIGN_OR_USAGE(int64_t limit, IntFlag(args, "limit", 50));
  if (limit <= 0) return ctx.Usage("--limit: must be positive");
  gv1::ListAuditEntriesResponse all;
  while (all.entries_size() < limit) {
    req.set_page_size(static_cast<int32_t>(std::min<int64_t>(limit - all.entries_size(), 500)));
    gv1::ListAuditEntriesResponse page;
    grpc::Status st =
        ctx.client().Call(*g.audit, &gv1::AuditService::Stub::ListAuditEntries, req, &page);
    if (!st.ok()) return ctx.Fail(st);
    for (auto& e : *page.mutable_entries()) *all.add_entries() = std::move(e);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (ctx.json()) {
    ctx.PrintJson(all);
    return kExitOk;
  }
  Table t({{"TIME"},
           {"PRINCIPAL", Table::Align::kLeft, 28},
           {"METHOD", Table::Align::kLeft, 64},
           {"PARTICIPANT"},
           {"REQUEST ID", Table::Align::kLeft, 24},
           {"RESULT"},
           {"MS", Table::Align::kRight},
           {"VIA"}});
  for (const auto& e : all.entries()) {
    // "/gridbill.contracts.v1.ParticipantService/ListParticipants" is shown
    // as "contracts.v1.ParticipantService/ListParticipants".
    std::string method = e.method();
    if (absl::StartsWith(method, "/gridbill.")) method = method.substr(10);
    t.AddRow({FormatTime(e.call_time(), DisplayZone()), e.principal(), method, e.participant_id(),
              e.request_id(), CodeText(e.code()), absl::StrCat(e.duration_us() / 1000),
              e.transport()});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

}  // namespace

void AddAuthCommands(std::vector<Command>& out) {
  const FlagSpec password_file{"password-file", "FILE",
                               "read the password from the first line of FILE (else "
                               "$GRIDBILL_PASSWORD, else a line of standard input)"};
  const FlagSpec request_id{"request-id", "ID", "idempotency key (default: a new random one)"};
  out.push_back({"auth",
                 "sign-in",
                 "",
                 0,
                 0,
                 "Sign in at the gateway; prints the access token",
                 {{"user", "NAME", "the user name (required)"}, password_file},
                 "The access token goes to standard output alone (for export "
                 "GRIDBILL_TOKEN=$(gridbillctl auth sign-in ...)); --output json prints the "
                 "refresh token and the expiry times too.",
                 SignIn});
  out.push_back({"auth",
                 "create-user",
                 "USERNAME",
                 1,
                 1,
                 "Create a user account (admins; participant admins for their participant)",
                 {{"roles", "ROLE,...", "the user's roles, e.g. participant_user (required)", true},
                  {"participant-id", "ID", "the participant a participant user belongs to"},
                  password_file,
                  request_id},
                 "",
                 CreateUser});
  out.push_back(
      {"auth",
       "create-api-key",
       "NAME",
       1,
       1,
       "Create an API key for a machine client (admins); prints the key once",
       {{"roles", "ROLE,...", "the key's roles, e.g. integration_client (required)", true},
        {"participant-id", "ID", "scope the key to one participant"},
        request_id},
       "The key goes to standard output alone (for export "
       "GRIDBILL_API_KEY=$(gridbillctl auth create-api-key ...)); the gateway keeps "
       "only its digest and never shows it again.",
       CreateApiKey});
  out.push_back({"auth",
                 "revoke-api-key",
                 "ID",
                 1,
                 1,
                 "Revoke an API key (admins)",
                 {request_id},
                 "",
                 RevokeApiKey});
  out.push_back(
      {"auth",
       "list-users",
       "",
       0,
       0,
       "User accounts by username (admins, auditors; participant admins: their own)",
       {{"participant-id", "ID", "only this participant's users (required for participant admins)"},
        {"limit", "N", "at most N users (default 1000)"}},
       "",
       ListUsers});
  out.push_back({"auth",
                 "unlock-user",
                 "ID",
                 1,
                 1,
                 "End the lockout of a user account after failed sign-ins (admins)",
                 {request_id},
                 "",
                 UnlockUser});
  out.push_back({"auth",
                 "list-api-keys",
                 "",
                 0,
                 0,
                 "API keys by id, never their secrets (admins, auditors)",
                 {{"participant-id", "ID", "only keys scoped to this participant"},
                  {"include-revoked", "", "also revoked keys"},
                  {"limit", "N", "at most N keys (default 1000)"}},
                 "",
                 ListApiKeys});
  out.push_back({"audit",
                 "list",
                 "",
                 0,
                 0,
                 "The gateway's audit trail, newest first (admins, auditors)",
                 {{"principal", "NAME", "only calls of this principal"},
                  {"method", "METHOD", "only this method (/package.Service/Method)"},
                  {"participant-id", "ID", "only calls scoped to this participant"},
                  {"since", "DATE|TIME", "from this date (YYYY-MM-DD, operator's zone) or time"},
                  {"until", "DATE|TIME", "before this date or time"},
                  {"limit", "N", "at most N entries (default 50)"}},
                 "",
                 AuditList});
}

}  // namespace gridbill::ctl
