#include "auth_service.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::gateway {
namespace {

void ToProto(const User& in, v1::User& out) {
  out.set_id(in.id);
  out.set_username(in.username);
  for (Role r : in.roles) out.add_roles(r);
  out.set_participant_id(in.participant_id);
  *out.mutable_create_time() = ToProtoTime(in.create_time);
  if (in.locked_until) *out.mutable_locked_until_time() = ToProtoTime(*in.locked_until);
}

void ToProto(const ApiKey& in, v1::ApiKey& out) {
  out.set_id(in.id);
  out.set_name(in.name);
  for (Role r : in.roles) out.add_roles(r);
  out.set_participant_id(in.participant_id);
  *out.mutable_create_time() = ToProtoTime(in.create_time);
  if (in.revoke_time) *out.mutable_revoke_time() = ToProtoTime(*in.revoke_time);
}

void ToProto(const IssuedTokens& in, v1::Tokens& out) {
  out.set_access_token(in.access_token);
  *out.mutable_access_expire_time() = ToProtoTime(in.access_expire_time);
  out.set_refresh_token(in.refresh_token);
  *out.mutable_refresh_expire_time() = ToProtoTime(in.refresh_expire_time);
}

std::vector<Role> Roles(const google::protobuf::RepeatedField<int>& roles) {
  std::vector<Role> out;
  for (int r : roles) out.push_back(static_cast<Role>(r));
  return out;
}

// The caller as the idempotency fingerprint knows it.
gridbill::Caller Identity(const Principal& who) { return ToCaller(who); }

}  // namespace

absl::StatusOr<Principal> AuthServiceImpl::Caller(const grpc::ServerContext& ctx,
                                                  const google::protobuf::Message& request) const {
  ASSIGN_OR_RETURN(gridbill::Caller caller, Authorize(ctx, request, identity_secret_));
  if (caller.principal.empty()) return absl::UnauthenticatedError("sign in first");
  return FromCaller(caller);
}

grpc::Status AuthServiceImpl::SignIn(grpc::ServerContext* ctx, const v1::SignInRequest* req,
                                     v1::SignInResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(SignInResult r, auth_.SignIn(req->username(), req->password()));
  ToProto(r.tokens, *resp->mutable_tokens());
  ToProto(r.user, *resp->mutable_user());
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::Refresh(grpc::ServerContext* ctx, const v1::RefreshRequest* req,
                                      v1::RefreshResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(IssuedTokens t, auth_.Refresh(req->refresh_token()));
  ToProto(t, *resp->mutable_tokens());
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::SignOut(grpc::ServerContext* ctx, const v1::SignOutRequest* req,
                                      v1::SignOutResponse* resp) {
  RETURN_IF_ERROR_GRPC(auth_.SignOut(req->refresh_token()));
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::CreateUser(grpc::ServerContext* ctx, const v1::CreateUserRequest* req,
                                         v1::CreateUserResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Principal who, Caller(*ctx, *req));
  return IdempotentCall(
      idempotency_, Identity(who), *req, resp, [&](v1::CreateUserResponse& out) -> absl::Status {
        User user;
        user.username = req->user().username();
        user.roles = Roles(req->user().roles());
        user.participant_id = req->user().participant_id();
        ASSIGN_OR_RETURN(User created, auth_.CreateUser(who, user, req->password()));
        ToProto(created, *out.mutable_user());
        return absl::OkStatus();
      });
}

grpc::Status AuthServiceImpl::CreateApiKey(grpc::ServerContext* ctx,
                                           const v1::CreateApiKeyRequest* req,
                                           v1::CreateApiKeyResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Principal who, Caller(*ctx, *req));
  // The secret is in plaintext only in the answer of the call that made the
  // key: the idempotency record keeps the response without it, so a retry
  // gets the key's metadata and an empty secret. It is attached only when the
  // returned key is the one this call made (a transaction that ran `fn` and
  // was rolled back, then replayed another call's record, must not leak it).
  CreatedApiKey made;
  grpc::Status status = IdempotentCall(idempotency_, Identity(who), *req, resp,
                                       [&](v1::CreateApiKeyResponse& out) -> absl::Status {
                                         ApiKey key;
                                         key.name = req->api_key().name();
                                         key.roles = Roles(req->api_key().roles());
                                         key.participant_id = req->api_key().participant_id();
                                         ASSIGN_OR_RETURN(made, auth_.CreateApiKey(who, key));
                                         ToProto(made.key, *out.mutable_api_key());
                                         return absl::OkStatus();
                                       });
  if (status.ok() && !made.key.id.empty() && resp->api_key().id() == made.key.id) {
    resp->set_secret(made.secret);
  }
  return status;
}

grpc::Status AuthServiceImpl::RevokeApiKey(grpc::ServerContext* ctx,
                                           const v1::RevokeApiKeyRequest* req,
                                           v1::RevokeApiKeyResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Principal who, Caller(*ctx, *req));
  return IdempotentCall(idempotency_, Identity(who), *req, resp,
                        [&](v1::RevokeApiKeyResponse& out) -> absl::Status {
                          ASSIGN_OR_RETURN(ApiKey key, auth_.RevokeApiKey(who, req->id()));
                          ToProto(key, *out.mutable_api_key());
                          return absl::OkStatus();
                        });
}

grpc::Status AuthServiceImpl::ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                                        v1::ListUsersResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Principal who, Caller(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<User> users,
                        auth_.ListUsers(who, req->participant_id(), page));
  for (const User& u : users.items) ToProto(u, *resp->add_users());
  resp->set_next_page_token(paging::NextToken(*req, users.next));
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::UnlockUser(grpc::ServerContext* ctx, const v1::UnlockUserRequest* req,
                                         v1::UnlockUserResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Principal who, Caller(*ctx, *req));
  return IdempotentCall(idempotency_, Identity(who), *req, resp,
                        [&](v1::UnlockUserResponse& out) -> absl::Status {
                          ASSIGN_OR_RETURN(User user, auth_.UnlockUser(who, req->id()));
                          ToProto(user, *out.mutable_user());
                          return absl::OkStatus();
                        });
}

grpc::Status AuthServiceImpl::ListApiKeys(grpc::ServerContext* ctx,
                                          const v1::ListApiKeysRequest* req,
                                          v1::ListApiKeysResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Principal who, Caller(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(
      paging::PageOf<ApiKey> keys,
      auth_.ListApiKeys(who, req->participant_id(), req->include_revoked(), page));
  for (const ApiKey& k : keys.items) ToProto(k, *resp->add_api_keys());
  resp->set_next_page_token(paging::NextToken(*req, keys.next));
  return grpc::Status::OK;
}

}  // namespace gridbill::gateway
