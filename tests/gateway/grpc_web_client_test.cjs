// The gateway's gRPC-web door spoken to by an independent client: Connect's
// gRPC-web transport for Node (npm @connectrpc/connect-node), with message
// types built at run time from the published contracts' descriptor set (no
// generated code). Run by gateway_suite_test against the real binaries:
//   GRIDBILL_WEB_URL          http://127.0.0.1:<web port>
//   GRIDBILL_ADMIN_PASSWORD   the bootstrap admin's password
//   GRIDBILL_DESCRIPTOR_SET   FileDescriptorSet of gateway, contracts, metering
//   GRIDBILL_NODE_MODULES     tools/node/node_modules
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const assert = require("node:assert/strict");

// Resolve packages (and their exported subpaths) as code in tools/node would.
const need = require("node:module").createRequire(
  path.join(process.env.GRIDBILL_NODE_MODULES, "..", "package.json"),
);
const { createClient, ConnectError, Code } = need("@connectrpc/connect");
const { createGrpcWebTransport } = need("@connectrpc/connect-node");
const { createFileRegistry, fromBinary } = need("@bufbuild/protobuf");
const { FileDescriptorSetSchema } = need("@bufbuild/protobuf/wkt");

const registry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, fs.readFileSync(process.env.GRIDBILL_DESCRIPTOR_SET)),
);
const transport = createGrpcWebTransport({
  baseUrl: process.env.GRIDBILL_WEB_URL,
  httpVersion: "1.1",
  useBinaryFormat: true,
});
const client = (name) => createClient(registry.getService(name), transport);
const auth = client("gridbill.gateway.v1.AuthService");
const participants = client("gridbill.contracts.v1.ParticipantService");
const points = client("gridbill.metering.v1.MeteringPointService");
const imports = client("gridbill.metering.v1.ImportService");
const readings = client("gridbill.metering.v1.ReadingService");
const audit = client("gridbill.gateway.v1.AuditService");

const ROLE = { OPERATOR: 3, AUDITOR: 6 };
const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
let step = "";

async function expectCode(code, call) {
  try {
    await call();
  } catch (e) {
    const err = ConnectError.from(e);
    assert.equal(err.code, code, `${step}: expected ${Code[code]}, got ${Code[err.code]}: ${err.rawMessage}`);
    return err;
  }
  assert.fail(`${step}: expected ${Code[code]}, the call succeeded`);
}

async function signIn(username, password) {
  const resp = await auth.signIn({ username, password });
  assert.ok(resp.tokens.accessToken.length > 20, "an access token");
  return resp.tokens.accessToken;
}

async function main() {
  step = "sign in as the bootstrap admin";
  const admin = await signIn("admin", process.env.GRIDBILL_ADMIN_PASSWORD);

  step = "a wrong password is UNAUTHENTICATED";
  await expectCode(Code.Unauthenticated, () => auth.signIn({ username: "admin", password: "wrong-password-123" }));

  step = "admin creates an operator and an auditor (idempotent by request_id)";
  const mk = (username, role, requestId) =>
    auth.createUser(
      { requestId, user: { username, roles: [role] }, password: "correct horse battery staple" },
      bearer(admin),
    );
  const op = await mk("web.operator", ROLE.OPERATOR, "web-user-1");
  const again = await mk("web.operator", ROLE.OPERATOR, "web-user-1");
  assert.equal(again.user.id, op.user.id, "a retry returns the first result");
  await mk("web.auditor", ROLE.AUDITOR, "web-user-2");
  const operator = await signIn("web.operator", "correct horse battery staple");
  const auditor = await signIn("web.auditor", "correct horse battery staple");

  step = "unary: the operator lists participants";
  const list = await participants.listParticipants({ pageSize: 10 }, bearer(operator));
  assert.ok(Array.isArray(list.participants), "a participants list");

  step = "PERMISSION_DENIED: an auditor may not create a participant";
  const denied = await expectCode(Code.PermissionDenied, () =>
    participants.createParticipant(
      { requestId: "web-p-1", participant: { bin: "990740000683", shortName: "X", legalName: "X" } },
      bearer(auditor),
    ),
  );
  assert.match(denied.rawMessage, /may not call/);

  step = "UNAUTHENTICATED: no token, and a forged token";
  await expectCode(Code.Unauthenticated, () => participants.listParticipants({}));
  await expectCode(Code.Unauthenticated, () => participants.listParticipants({}, bearer(operator.slice(0, -4) + "AAAA")));

  step = "INVALID_ARGUMENT with the field named (status details readable by Connect)";
  const invalid = await expectCode(Code.InvalidArgument, () =>
    points.createMeteringPoint({ requestId: "web-mp-0", point: { code: "MP-WEB-0" } }, bearer(operator)),
  );
  assert.match(invalid.rawMessage, /^point\.[a-z_]+: required$/);
  // The trailer's grpc-status-details-bin is a google.rpc.Status whose Any
  // detail Connect decodes with the published type.
  const ErrorDetails = registry.getMessage("gridbill.common.v1.ErrorDetails");
  assert.ok(ErrorDetails, "gridbill.common.v1.ErrorDetails is in the descriptor set");
  const found = invalid.findDetails(ErrorDetails);
  assert.equal(found.length, 1, "one ErrorDetails detail");
  assert.equal(found[0].violations.length, 1, "one field violation");
  assert.equal(`${found[0].violations[0].field}: ${found[0].violations[0].description}`, invalid.rawMessage);

  step = "the operator creates a metering point";
  await points.createMeteringPoint(
    {
      requestId: "web-mp-1",
      point: {
        code: "MP-WEB-1",
        name: "gRPC-web test point",
        resolution: 3, // PT60M
        status: 1, // ACTIVE
        channels: [{ channel: 1 }],
        validFrom: { year: 2024, month: 1, day: 1 },
      },
    },
    bearer(operator),
  );

  step = "the operator imports a day of readings";
  let csv = "point_code,channel,interval_start,value\n";
  for (let h = 0; h < 24; h++) csv += `MP-WEB-1,01,2024-01-15 ${String(h).padStart(2, "0")}:00,${1000 + h}\n`;
  const started = await imports.startImport(
    { requestId: "web-import-1", fileName: "day.csv", content: new TextEncoder().encode(csv), format: 1, unit: 2 },
    bearer(operator),
  );

  step = "server streaming: watch the import job until it ends";
  const states = [];
  for await (const update of imports.watchImportJob({ jobId: started.job.id }, bearer(operator))) {
    states.push(update.job.state);
  }
  assert.ok(states.length >= 1, "at least one job update");
  assert.equal(states[states.length - 1], 3, `the job succeeded (states ${states})`);

  step = "server streaming: the stored day comes back through the gateway";
  const days = [];
  for await (const msg of readings.streamPointDays(
    { pointCodes: ["MP-WEB-1"], fromDay: { year: 2024, month: 1, day: 15 }, toDay: { year: 2024, month: 1, day: 15 } },
    bearer(operator),
  )) {
    days.push(msg);
  }
  const pointDays = days.flatMap((m) => m.days ?? (m.day ? [m.day] : []));
  assert.equal(pointDays.length, 1, `one point-day (got ${JSON.stringify(days.length)} messages)`);
  assert.equal(pointDays[0].valuesWh.length, 24);
  assert.equal(BigInt(pointDays[0].valuesWh[5]), 1005000n, "1005 kWh stored as Wh");

  step = "deadline: a 1 ms timeout is DEADLINE_EXCEEDED";
  await expectCode(Code.DeadlineExceeded, () =>
    participants.listParticipants({}, { ...bearer(operator), timeoutMs: 1 }),
  );
  step = "the audit trail shows the operator's calls to an auditor, not to the operator";
  await new Promise((r) => setTimeout(r, 700)); // written in background batches
  const trail = await audit.listAuditEntries({ principal: "user:web.operator", pageSize: 200 }, bearer(auditor));
  const create = trail.entries.find((e) => e.method.endsWith("/CreateMeteringPoint") && e.code === 0);
  assert.ok(create, `a CreateMeteringPoint entry among ${trail.entries.length}`);
  assert.equal(create.requestId, "web-mp-1");
  assert.equal(create.transport, "grpc-web");
  assert.ok(create.mutating);
  assert.ok(trail.entries.some((e) => e.code === Code.InvalidArgument), "the refused call is there too");
  await expectCode(Code.PermissionDenied, () => audit.listAuditEntries({}, bearer(operator)));

  console.log("grpc-web client: all checks passed");
}

main().catch((e) => {
  console.error(`FAILED at step "${step}":`, e);
  process.exit(1);
});
