// The services as the browser reaches them: Connect clients over gRPC-web to
// the gateway's web door (same origin), the access token in memory only (the
// refresh token is an HttpOnly cookie the web door sets and reads), silent
// refresh before expiry, and errors turned into what a page shows.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import { AuthService, AuditService } from "./gen/gridbill/gateway/v1/gateway_pb";
import {
  ApplicationService,
  ContractService,
  ParticipantService,
  TariffService,
} from "./gen/gridbill/contracts/v1/contracts_pb";
import { ImportService, MeteringPointService, ReadingService } from "./gen/gridbill/metering/v1/metering_pb";
import { BalanceService } from "./gen/gridbill/balance/v1/balance_pb";
import {
  BillingPeriodService,
  DocumentService,
  InvoiceRunService,
  PaymentService,
} from "./gen/gridbill/invoicing/v1/invoicing_pb";
import { ForecastService } from "./gen/gridbill/forecasting/v1/forecasting_pb";
import { ErrorDetailsSchema, Role } from "./gen/gridbill/common/v1/common_pb";

// Who is signed in, from the access token's claims.
export interface Session {
  username: string;
  roles: Role[];
  participantId: string;
  expires: number; // ms since epoch
}

let accessToken = "";
let session: Session | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(s: Session | null) => void>();

export function currentSession(): Session | null {
  return session;
}
export function onSession(f: (s: Session | null) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

const bearer: Interceptor = (next) => async (req) => {
  if (accessToken) req.header.set("authorization", `Bearer ${accessToken}`);
  return next(req);
};

export const transport = createGrpcWebTransport({
  baseUrl: location.origin,
  useBinaryFormat: true,
  interceptors: [bearer],
  defaultTimeoutMs: 30_000,
});

const clients = new Map<DescService, unknown>();
function client<T extends DescService>(service: T): Client<T> {
  let c = clients.get(service) as Client<T> | undefined;
  if (!c) {
    c = createClient(service, transport);
    clients.set(service, c);
  }
  return c;
}

export const api = {
  get auth() { return client(AuthService); },
  get audit() { return client(AuditService); },
  get participants() { return client(ParticipantService); },
  get contracts() { return client(ContractService); },
  get tariffs() { return client(TariffService); },
  get applications() { return client(ApplicationService); },
  get points() { return client(MeteringPointService); },
  get readings() { return client(ReadingService); },
  get imports() { return client(ImportService); },
  get balance() { return client(BalanceService); },
  get periods() { return client(BillingPeriodService); },
  get invoiceRuns() { return client(InvoiceRunService); },
  get documents() { return client(DocumentService); },
  get payments() { return client(PaymentService); },
  get forecast() { return client(ForecastService); },
};

function decodeClaims(token: string): Session {
  const part = token.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  const roles = String(claims.roles ?? "")
    .split(",")
    .filter(Boolean)
    .map((name: string) => Role[name.replace(/^ROLE_/, "") as keyof typeof Role])
    .filter((r: Role | undefined): r is Role => typeof r === "number");
  return {
    username: String(claims.sub ?? "").replace(/^user:/, ""),
    roles,
    participantId: String(claims.pid ?? ""),
    expires: Number(claims.exp ?? 0) * 1000,
  };
}

function adopt(token: string) {
  accessToken = token;
  session = token ? decodeClaims(token) : null;
  clearTimeout(refreshTimer);
  if (session) {
    // A minute before expiry (at least 5 s from now).
    const wait = Math.max(5_000, session.expires - Date.now() - 60_000);
    refreshTimer = setTimeout(() => void refresh(), wait);
  }
  for (const f of listeners) f(session);
}

export async function signIn(username: string, password: string): Promise<void> {
  const resp = await api.auth.signIn({ username, password });
  adopt(resp.tokens?.accessToken ?? "");
}

// A new access token from the session cookie; false when there is no
// session (signed out, expired, or revoked).
export async function refresh(): Promise<boolean> {
  try {
    const resp = await api.auth.refresh({});
    adopt(resp.tokens?.accessToken ?? "");
    return true;
  } catch {
    adopt("");
    return false;
  }
}

export async function signOut(): Promise<void> {
  try {
    await api.auth.signOut({});
  } finally {
    adopt("");
  }
}

export function hasRole(...roles: Role[]): boolean {
  return !!session && session.roles.some((r) => roles.includes(r));
}
export function isParticipant(): boolean {
  return hasRole(Role.PARTICIPANT_USER, Role.PARTICIPANT_ADMIN);
}

// What a page shows for a failed call.
export interface CallError {
  kind: "unavailable" | "denied" | "unauthenticated" | "invalid" | "other";
  message: string;
  fields: Record<string, string>; // field -> reason, as the service named them
  violations: { field: string; description: string }[]; // every one, in order
}

export function toCallError(e: unknown): CallError {
  const err = ConnectError.from(e);
  const fields: Record<string, string> = {};
  const violations: { field: string; description: string }[] = [];
  try {
    for (const d of err.findDetails(ErrorDetailsSchema)) {
      for (const v of d.violations) {
        fields[v.field] ??= v.description;
        violations.push({ field: v.field, description: v.description });
      }
    }
  } catch {
    /* no details */
  }
  // "field: reason" messages name the field too.
  const m = /^([a-z_.]+(?:\[\d+\])?[a-z_.]*): (.+)$/.exec(err.rawMessage);
  if (m && Object.keys(fields).length === 0) fields[m[1]] = m[2];
  const kind =
    err.code === Code.Unavailable || err.code === Code.Unimplemented
      ? "unavailable"
      : err.code === Code.PermissionDenied
        ? "denied"
        : err.code === Code.Unauthenticated
          ? "unauthenticated"
          : err.code === Code.InvalidArgument || err.code === Code.FailedPrecondition
            ? "invalid"
            : "other";
  return { kind, message: err.rawMessage, fields, violations };
}

export function newRequestId(): string {
  return crypto.randomUUID();
}
