/**
 * The standard gRPC services on the Host's one port, asked by a standard
 * client that shares none of our code: @grpc/grpc-js with
 * @grpc/proto-loader reading the published health and reflection protos at
 * run time. Health needs no credential and turns NOT_SERVING the moment the
 * Host begins to stop, while the port still serves; reflection (v1 and
 * v1alpha) needs a viewer's token and hands out our descriptors with their
 * imports, as grpcurl asks for them.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { FAST_TIMING, TestCluster } from "../helpers/cluster.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const OUR_SERVICES = ["hakuriver.v1.ClientService", "hakuriver.v1.RunnerService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];

const definition = protoLoader.loadSync(["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"], {
  includeDirs: [join(root, "proto")],
  keepCase: true,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition);

/** The client constructor of the service at `path` ("grpc.health.v1.Health") in the loaded definition. */
function clientClass(path: string): grpc.ServiceClientConstructor {
  let node: unknown = loaded;
  for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
  assert.equal(typeof node, "function", `${path} is not in the loaded protos`);
  return node as grpc.ServiceClientConstructor;
}

interface HealthAnswer {
  status: string;
}
interface ReflectionAnswer {
  valid_host: string;
  message_response: "file_descriptor_response" | "all_extension_numbers_response" | "list_services_response" | "error_response";
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

let cluster: TestCluster;
let health: grpc.Client;

/** The Host's admin token as gRPC metadata. */
function adminMetadata(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${cluster.adminToken}`);
  return metadata;
}

function check(service: string): Promise<HealthAnswer> {
  return new Promise((resolve, reject) => {
    (health as unknown as Record<string, (r: object, cb: (e: grpc.ServiceError | null, a: HealthAnswer) => void) => void>)["Check"]!.call(health, { service }, (error, answer) => (error ? reject(error) : resolve(answer)));
  });
}

/** A health Watch: its statuses as they come, and how it ended. */
function watch(service: string) {
  const call = (health as unknown as Record<string, (r: object) => grpc.ClientReadableStream<HealthAnswer>>)["Watch"]!.call(health, { service });
  const seen: string[] = [];
  const waiters: (() => void)[] = [];
  call.on("data", (answer: HealthAnswer) => {
    seen.push(answer.status);
    for (const wake of waiters.splice(0)) wake();
  });
  const ended = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
  call.on("error", () => undefined); // the status event carries the outcome
  return {
    seen,
    ended,
    /** Resolves once `count` statuses have arrived. */
    async received(count: number): Promise<string[]> {
      while (seen.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return seen.slice(0, count);
    },
    cancel: () => call.cancel(),
  };
}

/** One reflection stream of `version`: each `ask` writes a request and resolves with the next response. */
function reflection(version: "v1" | "v1alpha", metadata = adminMetadata()) {
  const client = new (clientClass(`grpc.reflection.${version}.ServerReflection`))(cluster.address, grpc.credentials.createInsecure());
  const call = (client as unknown as Record<string, (m: grpc.Metadata) => grpc.ClientDuplexStream<object, ReflectionAnswer>>)["ServerReflectionInfo"]!.call(client, metadata);
  const answers: ReflectionAnswer[] = [];
  const waiters: (() => void)[] = [];
  let failure: grpc.ServiceError | undefined;
  const wakeAll = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  call.on("data", (answer: ReflectionAnswer) => (answers.push(answer), wakeAll()));
  call.on("error", (error: grpc.ServiceError) => ((failure = error), wakeAll()));
  return {
    async ask(request: object): Promise<ReflectionAnswer> {
      call.write({ host: "", ...request });
      while (answers.length === 0 && !failure) await new Promise<void>((resolve) => waiters.push(resolve));
      if (answers.length === 0) throw failure;
      return answers.shift()!;
    },
    close() {
      call.end();
      client.close();
    },
  };
}

function descriptorsOf(answer: ReflectionAnswer): FileDescriptorProto[] {
  assert.equal(answer.message_response, "file_descriptor_response", JSON.stringify(answer.error_response));
  return answer.file_descriptor_response!.file_descriptor_proto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

before(async () => {
  // A long grace: the shutdown test holds a call open and shows the Host waits for it (and no longer).
  cluster = new TestCluster({ ...FAST_TIMING, HAKURIVER_TIMING_SHUTDOWN_GRACE: "30" });
  await cluster.startHost();
  health = new (clientClass("grpc.health.v1.Health"))(cluster.address, grpc.credentials.createInsecure());
});

after(async () => {
  health.close();
  await cluster.cleanup();
});

test("health: the whole Host and each served service are SERVING, asked with no credential; an unknown name is NOT_FOUND", async () => {
  assert.equal((await check("")).status, "SERVING");
  for (const service of OUR_SERVICES) assert.equal((await check(service)).status, "SERVING", service);
  const error = await check("no.such.v1.Service").then(
    () => assert.fail("an unknown service must not be answered"),
    (e: grpc.ServiceError) => e,
  );
  assert.equal(error.code, grpc.status.NOT_FOUND);
  assert.match(error.details, /no\.such\.v1\.Service/);
});

test("reflection without a token is UNAUTHENTICATED", async () => {
  const session = reflection("v1", new grpc.Metadata());
  const error = await session.ask({ list_services: "" }).then(
    () => assert.fail("reflection must need a credential"),
    (e: grpc.ServiceError) => e,
  );
  assert.equal(error.code, grpc.status.UNAUTHENTICATED);
  session.close();
});

test("reflection v1: services, descriptors with their imports, symbol lookups as grpcurl makes them, and misses answered on the stream", async () => {
  const session = reflection("v1");
  const listed = await session.ask({ list_services: "" });
  assert.equal(listed.message_response, "list_services_response");
  assert.deepEqual(listed.list_services_response!.service.map((s) => s.name).sort(), [...OUR_SERVICES].sort());

  const clientFiles = descriptorsOf(await session.ask({ file_containing_symbol: "hakuriver.v1.ClientService" }));
  const clientFile = clientFiles[0]!;
  assert.equal(clientFile.name, "hakuriver/v1/client.proto", "the file declaring the symbol comes first");
  const submit = clientFile.service.find((s) => s.name === "ClientService")?.method.find((m) => m.name === "SubmitTask");
  assert.ok(submit, "ClientService declares SubmitTask");
  assert.equal(submit.inputType, ".hakuriver.v1.SubmitTaskRequest");
  // Every import, direct or not, travels with the file.
  const names = new Set(clientFiles.map((f) => f.name));
  assert.ok(clientFile.dependency.includes("hakuriver/v1/types.proto"));
  for (const file of clientFiles) for (const dependency of file.dependency) assert.ok(names.has(dependency), `${file.name} imports ${dependency}, which was not sent`);
  assert.ok(names.has("google/protobuf/timestamp.proto"));

  // The method's input type resolves (grpcurl strips the leading dot) to a file that declares it.
  const inputFile = descriptorsOf(await session.ask({ file_containing_symbol: submit.inputType.slice(1) }))[0]!;
  assert.ok(inputFile.messageType.some((m) => `.${inputFile.package}.${m.name}` === submit.inputType), `${inputFile.name} declares ${submit.inputType}`);

  for (const [symbol, file] of [
    ["hakuriver.v1.ClientService.SubmitTask", "hakuriver/v1/client.proto"],
    ["hakuriver.v1.SubmitTaskRequest.command", "hakuriver/v1/client.proto"],
    ["hakuriver.v1.Task", "hakuriver/v1/types.proto"],
    ["hakuriver.v1.TaskStatus", "hakuriver/v1/types.proto"],
    ["grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"],
    ["grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto"],
  ] as const) {
    assert.equal(descriptorsOf(await session.ask({ file_containing_symbol: symbol }))[0]!.name, file, symbol);
  }

  const byName = descriptorsOf(await session.ask({ file_by_filename: "grpc/health/v1/health.proto" }));
  assert.equal(byName[0]!.package, "grpc.health.v1");
  assert.ok(byName[0]!.service.some((s) => s.name === "Health"));

  const extensions = await session.ask({ all_extension_numbers_of_type: "hakuriver.v1.Task" });
  assert.equal(extensions.message_response, "all_extension_numbers_response");
  assert.deepEqual(extensions.all_extension_numbers_response, { base_type_name: "hakuriver.v1.Task", extension_number: [] });

  for (const miss of [{ file_containing_symbol: "hakuriver.v1.NoSuchThing" }, { file_by_filename: "no/such.proto" }, { all_extension_numbers_of_type: "hakuriver.v1.NoSuchMessage" }]) {
    const answer = await session.ask(miss);
    assert.equal(answer.message_response, "error_response", JSON.stringify(miss));
    assert.equal(answer.error_response!.error_code, grpc.status.NOT_FOUND);
    assert.match(answer.error_response!.error_message, /not known/);
  }
  // The stream survives its misses.
  assert.equal((await session.ask({ list_services: "" })).message_response, "list_services_response");
  session.close();
});

test("reflection v1alpha answers the same questions", async () => {
  const session = reflection("v1alpha");
  const listed = await session.ask({ list_services: "*" });
  assert.ok(listed.list_services_response!.service.some((s) => s.name === "hakuriver.v1.ClientService"));
  assert.ok(listed.list_services_response!.service.some((s) => s.name === "grpc.health.v1.Health"));
  const files = descriptorsOf(await session.ask({ file_containing_symbol: "hakuriver.v1.RunnerService" }));
  assert.equal(files[0]!.name, "hakuriver/v1/runner.proto");
  assert.ok(files[0]!.service.some((s) => s.name === "RunnerService" && s.method.some((m) => m.name === "Control")));
  const miss = await session.ask({ file_containing_symbol: "nope.Nothing" });
  assert.equal(miss.error_response?.error_code, grpc.status.NOT_FOUND);
  session.close();
});

/** A Connect unary call over HTTP/1.1 whose body is held back: in flight until `finish()`. */
async function heldCall(path: string): Promise<{ finish(body: string): Promise<{ status: number; body: string }> }> {
  const request = httpRequest({ host: cluster.hostIp, port: cluster.port, path, method: "POST", headers: { "content-type": "application/json", expect: "100-continue" } });
  const response = new Promise<IncomingMessage>((resolve, reject) => request.once("response", resolve).once("error", reject));
  // The server answers 100 Continue as it hands the request to its handler: from here on the call is in flight.
  await new Promise<void>((resolve, reject) => request.once("continue", resolve).once("error", reject));
  return {
    async finish(body) {
      request.end(body);
      const answer = await response;
      let text = "";
      for await (const chunk of answer) text += String(chunk);
      return { status: answer.statusCode ?? 0, body: text };
    },
  };
}

test("on SIGTERM health turns NOT_SERVING while the port still serves, open watches hear it before they end, and the Host waits for a call in flight", async () => {
  const whole = watch("");
  const unknown = watch("no.such.v1.Service");
  assert.deepEqual(await whole.received(1), ["SERVING"]);
  assert.deepEqual(await unknown.received(1), ["SERVICE_UNKNOWN"]);
  const held = await heldCall("/hakuriver.v1.ClientService/DescribeCluster");
  const host = cluster.host!;

  host.child.kill("SIGTERM");
  assert.deepEqual(await whole.received(2), ["SERVING", "NOT_SERVING"]);
  const wholeEnd = await whole.ended;
  assert.equal(wholeEnd.code, grpc.status.OK, `the watch ends cleanly after NOT_SERVING: ${wholeEnd.details}`);
  assert.equal((await unknown.ended).code, grpc.status.OK);
  assert.deepEqual(unknown.seen, ["SERVICE_UNKNOWN"]);

  // The held call keeps the Host draining: new calls are still answered, and health says it is stopping.
  assert.equal((await check("")).status, "NOT_SERVING");
  assert.equal((await check("hakuriver.v1.ClientService")).status, "NOT_SERVING");
  assert.equal(host.child.exitCode, null, "the Host is still up while a call is in flight");

  const answer = await held.finish("{}");
  assert.equal(answer.status, 200, answer.body);
  assert.equal((JSON.parse(answer.body) as { apiPort?: number }).apiPort, cluster.port);
  // Nothing is left in flight: the Host closes well before its 30 s grace.
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([host.exited, new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), 15_000)))]);
  clearTimeout(timer);
  assert.equal(outcome, 0, host.output());
});
