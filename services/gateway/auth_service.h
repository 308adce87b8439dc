// The gRPC edge of AuthService: proto <-> domain, Status <-> grpc::Status.
// It sits behind the proxy like any backend and takes the caller from the
// identity the proxy signed.
#pragma once

#include <string>
#include <utility>

#include "auth.h"
#include "gridbill/gateway/v1/gateway.grpc.pb.h"
#include "gridbill/pg/idempotency.h"

namespace gridbill::gateway {

class AuthServiceImpl final : public v1::AuthService::Service {
 public:
  // `idempotency` keeps CreateUser, CreateApiKey and RevokeApiKey
  // idempotent by request_id.
  AuthServiceImpl(Authenticator& auth, Idempotency& idempotency, std::string identity_secret)
      : auth_(auth), idempotency_(idempotency), identity_secret_(std::move(identity_secret)) {}

  grpc::Status SignIn(grpc::ServerContext* ctx, const v1::SignInRequest* req,
                      v1::SignInResponse* resp) override;
  grpc::Status Refresh(grpc::ServerContext* ctx, const v1::RefreshRequest* req,
                       v1::RefreshResponse* resp) override;
  grpc::Status SignOut(grpc::ServerContext* ctx, const v1::SignOutRequest* req,
                       v1::SignOutResponse* resp) override;
  grpc::Status CreateUser(grpc::ServerContext* ctx, const v1::CreateUserRequest* req,
                          v1::CreateUserResponse* resp) override;
  grpc::Status CreateApiKey(grpc::ServerContext* ctx, const v1::CreateApiKeyRequest* req,
                            v1::CreateApiKeyResponse* resp) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* ctx, const v1::RevokeApiKeyRequest* req,
                            v1::RevokeApiKeyResponse* resp) override;
  grpc::Status ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                         v1::ListUsersResponse* resp) override;
  grpc::Status UnlockUser(grpc::ServerContext* ctx, const v1::UnlockUserRequest* req,
                          v1::UnlockUserResponse* resp) override;
  grpc::Status ListApiKeys(grpc::ServerContext* ctx, const v1::ListApiKeysRequest* req,
                           v1::ListApiKeysResponse* resp) override;

 private:
  // The caller admitted by Authorize (gridbill/server/access.h) for the
  // method that takes `request`; UNAUTHENTICATED without a principal.
  absl::StatusOr<Principal> Caller(const grpc::ServerContext& ctx,
                                   const google::protobuf::Message& request) const;

  Authenticator& auth_;
  Idempotency& idempotency_;
  const std::string identity_secret_;
};

}  // namespace gridbill::gateway
