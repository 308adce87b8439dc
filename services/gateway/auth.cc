#include "auth.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::gateway {
namespace {

constexpr char kBadCredentials[] = "invalid username or password";

bool ValidName(std::string_view s) {
  if (s.size() < 3 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '_' || c == '-' ||
           c == '@';
  });
}

// Roles and participant scope must agree: participant roles need a
// participant and a participant-scoped holder gets nothing else.
absl::Status CheckScope(const std::string& field_prefix, const std::vector<Role>& roles,
                        const std::string& participant_id) {
  if (roles.empty()) return InvalidField(field_prefix + ".roles", "at least one role is required");
  bool participant_role = false;
  bool staff_role = false;
  for (Role r : roles) {
    if (r == common::v1::ROLE_UNSPECIFIED || !common::v1::Role_IsValid(r)) {
      return InvalidField(field_prefix + ".roles", "unspecified or unknown role");
    }
    (IsParticipantRole(r) ? participant_role : staff_role) = true;
  }
  if (participant_role && staff_role) {
    return InvalidField(field_prefix + ".roles",
                        "participant roles cannot be combined with TSO roles");
  }
  if (participant_role && participant_id.empty()) {
    return InvalidField(field_prefix + ".participant_id", "required for participant roles");
  }
  if (!participant_role && !participant_id.empty()) {
    return InvalidField(field_prefix + ".participant_id", "only participant roles are scoped");
  }
  if (absl::StrContains(ToAbsl(participant_id), "|") || participant_id.size() > 64) {
    return InvalidField(field_prefix + ".participant_id", "not a participant id");
  }
  return absl::OkStatus();
}

// A participant admin acts inside their participant only.
absl::Status CheckGrantor(const Principal& who, const std::string& participant_id,
                          const std::vector<Role>& roles) {
  if (who.Has(common::v1::ROLE_ADMIN)) return absl::OkStatus();
  if (!who.scoped() || participant_id != who.participant_id) {
    return absl::PermissionDeniedError("a participant admin manages their own participant only");
  }
  for (Role r : roles) {
    if (!IsParticipantRole(r)) {
      return absl::PermissionDeniedError("a participant admin grants participant roles only");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IssuedTokens> Authenticator::Issue(const User& user, const Session& session,
                                                  const std::string& refresh_token) {
  const absl::Time now = clock_.Now();
  AccessClaims claims;
  claims.subject = absl::StrCat("user:", user.username);
  claims.roles = user.roles;
  claims.participant_id = user.participant_id;
  claims.session_id = session.id;
  claims.issue_time = now;
  claims.expire_time = now + settings_.access_ttl;
  IssuedTokens t;
  t.access_token = signer_.Sign(claims);
  t.access_expire_time = claims.expire_time;
  t.refresh_token = refresh_token;
  t.refresh_expire_time = session.refresh_expire_time;
  return t;
}

absl::StatusOr<SignInResult> Authenticator::SignIn(std::string_view username,
                                                   std::string_view password) {
  const std::string name = absl::AsciiStrToLower(ToAbsl(username));
  ASSIGN_OR_RETURN(std::optional<UserRecord> record, store_.FindUserByName(name));
  const absl::Time now = clock_.Now();
  if (!record) {
    // Spend the same time as a real check so timing does not reveal names.
    static const std::string kDummy = hasher_.Hash("not-a-password").value_or("");
    hasher_.Verify(kDummy, password);
    return absl::UnauthenticatedError(kBadCredentials);
  }
  if (record->user.locked_until && *record->user.locked_until > now) {
    return absl::UnauthenticatedError(absl::StrCat(
        "too many failed sign-ins; the account is locked until ",
        absl::FormatTime(absl::RFC3339_sec, *record->user.locked_until, absl::UTCTimeZone())));
  }
  if (!hasher_.Verify(record->password_hash, password)) {
    ASSIGN_OR_RETURN(User after,
                     store_.RecordFailedSignIn(record->user.id, now, settings_.max_failed_sign_ins,
                                               settings_.lockout));
    if (after.locked_until && *after.locked_until > now) {
      return absl::UnauthenticatedError(absl::StrCat(
          "too many failed sign-ins; the account is locked until ",
          absl::FormatTime(absl::RFC3339_sec, *after.locked_until, absl::UTCTimeZone())));
    }
    return absl::UnauthenticatedError(kBadCredentials);
  }
  RETURN_IF_ERROR(store_.RecordSignIn(record->user.id, now));
  const std::string refresh = RandomSecret();
  Session session;
  session.user_id = record->user.id;
  session.create_time = now;
  session.refresh_expire_time = now + settings_.refresh_ttl;
  ASSIGN_OR_RETURN(Session stored, store_.InsertSession(session, Sha256Hex(refresh)));
  SignInResult result;
  result.user = record->user;
  result.user.locked_until.reset();
  ASSIGN_OR_RETURN(result.tokens, Issue(result.user, stored, refresh));
  return result;
}

absl::StatusOr<IssuedTokens> Authenticator::Refresh(std::string_view refresh_token) {
  const std::string old_hash = Sha256Hex(refresh_token);
  ASSIGN_OR_RETURN(std::optional<Session> session, store_.FindSessionByRefresh(old_hash));
  const absl::Time now = clock_.Now();
  if (!session || session->revoke_time || session->refresh_expire_time <= now) {
    return absl::UnauthenticatedError("the refresh token is unknown, used, revoked or expired");
  }
  // Roles and scope are read again: a change applies at the next refresh.
  ASSIGN_OR_RETURN(User user, store_.GetUser(session->user_id));
  const std::string refresh = RandomSecret();
  session->refresh_expire_time = now + settings_.refresh_ttl;
  ASSIGN_OR_RETURN(bool rotated, store_.RotateRefresh(session->id, old_hash, Sha256Hex(refresh),
                                                      session->refresh_expire_time));
  if (!rotated) {
    return absl::UnauthenticatedError("the refresh token is unknown, used, revoked or expired");
  }
  return Issue(user, *session, refresh);
}

absl::Status Authenticator::SignOut(std::string_view refresh_token) {
  ASSIGN_OR_RETURN(std::optional<Session> session,
                   store_.FindSessionByRefresh(Sha256Hex(refresh_token)));
  // Signing out of an unknown or ended session is a no-op: the goal holds.
  if (!session) return absl::OkStatus();
  return store_.RevokeSession(session->id, clock_.Now());
}

absl::StatusOr<User> Authenticator::CreateUser(const Principal& who, User user,
                                               std::string_view password) {
  user.username = absl::AsciiStrToLower(user.username);
  if (!ValidName(user.username)) {
    return InvalidField("user.username", "3..64 characters: letters, digits, '.', '_', '-', '@'");
  }
  RETURN_IF_ERROR(CheckScope("user", user.roles, user.participant_id));
  if (password.size() < settings_.min_password_length) {
    return InvalidField("password", absl::StrCat("at least ", settings_.min_password_length,
                                                 " characters are required"));
  }
  RETURN_IF_ERROR(CheckGrantor(who, user.participant_id, user.roles));
  ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  user.create_time = clock_.Now();
  return store_.InsertUser(user, hash);
}

absl::StatusOr<bool> Authenticator::EnsureBootstrapAdmin(std::string_view username,
                                                         std::string_view password) {
  ASSIGN_OR_RETURN(std::optional<UserRecord> existing,
                   store_.FindUserByName(absl::AsciiStrToLower(ToAbsl(username))));
  if (existing) return false;
  User admin;
  admin.username = std::string(username);
  admin.roles = {common::v1::ROLE_ADMIN};
  const Principal installer{"system:bootstrap", {common::v1::ROLE_ADMIN}, "", ""};
  absl::StatusOr<User> created = CreateUser(installer, admin, password);
  if (!created.ok()) {
    return absl::Status(created.status().code(),
                        absl::StrCat("bootstrap admin: ", created.status().message()));
  }
  return true;
}

absl::StatusOr<CreatedApiKey> Authenticator::CreateApiKey(const Principal& who, ApiKey key) {
  if (key.name.empty() || key.name.size() > 200) {
    return InvalidField("api_key.name", "a name of 1..200 characters is required");
  }
  RETURN_IF_ERROR(CheckScope("api_key", key.roles, key.participant_id));
  RETURN_IF_ERROR(CheckGrantor(who, key.participant_id, key.roles));
  key.id = RandomSecret(9);
  key.create_time = clock_.Now();
  const std::string secret = RandomSecret();
  CreatedApiKey out;
  ASSIGN_OR_RETURN(out.key, store_.InsertApiKey(key, Sha256Hex(secret)));
  out.secret = absl::StrCat(ToAbsl(kApiKeyPrefix), key.id, ".", secret);
  return out;
}

absl::StatusOr<paging::PageOf<User>> Authenticator::ListUsers(const Principal& who,
                                                              const std::string& participant_id,
                                                              const paging::Page& page) {
  const bool staff = who.Has(common::v1::ROLE_ADMIN) || who.Has(common::v1::ROLE_AUDITOR);
  if (!staff) {
    if (!who.Has(common::v1::ROLE_PARTICIPANT_ADMIN) || !who.scoped() ||
        participant_id != who.participant_id) {
      return absl::PermissionDeniedError(
          "participant_id: a participant admin lists the users of their own participant only");
    }
  }
  return store_.ListUsers(participant_id, page);
}

absl::StatusOr<paging::PageOf<ApiKey>> Authenticator::ListApiKeys(const Principal& who,
                                                                  const std::string& participant_id,
                                                                  bool include_revoked,
                                                                  const paging::Page& page) {
  if (!who.Has(common::v1::ROLE_ADMIN) && !who.Has(common::v1::ROLE_AUDITOR)) {
    return absl::PermissionDeniedError("only admins and auditors list API keys");
  }
  return store_.ListApiKeys(participant_id, include_revoked, page);
}

absl::StatusOr<User> Authenticator::UnlockUser(const Principal& who, const std::string& id) {
  if (id.empty()) return InvalidField("id", "required");
  if (!who.Has(common::v1::ROLE_ADMIN)) {
    return absl::PermissionDeniedError("only an admin unlocks user accounts");
  }
  return store_.UnlockUser(id);
}

absl::StatusOr<ApiKey> Authenticator::RevokeApiKey(const Principal& who, const std::string& id) {
  if (id.empty()) return InvalidField("id", "required");
  if (!who.Has(common::v1::ROLE_ADMIN)) {
    return absl::PermissionDeniedError("only an admin revokes API keys");
  }
  return store_.RevokeApiKey(id, clock_.Now());
}

absl::StatusOr<Principal> Authenticator::AuthenticateApiKey(std::string_view key_text) {
  ASSIGN_OR_RETURN(ApiKeyText key, ParseApiKey(key_text));
  const std::string& id = key.id;
  const std::string_view secret = key.secret;
  ASSIGN_OR_RETURN(std::optional<ApiKeyRecord> record, store_.FindApiKey(id));
  if (!record || !ConstantTimeEquals(Sha256Hex(secret), record->secret_hash)) {
    return absl::UnauthenticatedError("unknown API key");
  }
  if (record->key.revoke_time) return absl::UnauthenticatedError("the API key has been revoked");
  Principal p;
  p.name = absl::StrCat("key:", record->key.id);
  p.roles = record->key.roles;
  p.participant_id = record->key.participant_id;
  return p;
}

absl::StatusOr<Principal> Authenticator::AuthenticateBearer(std::string_view token) {
  ASSIGN_OR_RETURN(AccessClaims claims, signer_.Verify(token, clock_.Now()));
  ASSIGN_OR_RETURN(std::optional<Session> session, store_.GetSession(claims.session_id));
  if (!session || session->revoke_time) {
    return absl::UnauthenticatedError("the session of the access token has ended");
  }
  Principal p;
  p.name = claims.subject;
  p.roles = claims.roles;
  p.participant_id = claims.participant_id;
  p.session_id = claims.session_id;
  return p;
}

}  // namespace gridbill::gateway
