// End-to-end test: the official Node.js client (@eventstore/db-client, pinned
// in package.json) against `petitionledger serve --esdb-listen`, the
// EventStoreDB gRPC protocol served over a fresh embedded store.
//
// PETITIONLEDGER_BIN names the petitionledger binary (make e2e builds it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventStoreDBClient,
  jsonEvent,
  FORWARDS,
  BACKWARDS,
  START,
  END,
  NO_STREAM,
  streamNameFilter,
  eventTypeFilter,
  WrongExpectedVersionError,
  StreamNotFoundError,
  StreamDeletedError,
} from "@eventstore/db-client";

const binary = process.env.PETITIONLEDGER_BIN;
if (!binary) {
  throw new Error("PETITIONLEDGER_BIN is not set: run this test with `make e2e`");
}

let server;
let client;
let dataDir;

// startServer starts `petitionledger serve` on free loopback ports and
// resolves with the EventStoreDB connection string it prints.
function startServer(dir) {
  return new Promise((resolve, reject) => {
    const args = ["serve", "--listen", "127.0.0.1:0", "--esdb-listen", "127.0.0.1:0", "--store", join(dir, "store"), "--log-level", "warn"];
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => reject(new Error("petitionledger serve printed no esdb:// address within 60 s")), 60_000);
    child.on("error", (err) => reject(err));
    child.on("exit", (code) => reject(new Error(`petitionledger serve exited early with code ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /^EventStoreDB protocol on (esdb:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, connectionString: m[1] });
      }
    });
  });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "petitionledger-e2e-"));
  const started = await startServer(dataDir);
  server = started.child;
  client = EventStoreDBClient.connectionString(started.connectionString);
});

after(async () => {
  await client?.dispose();
  if (server && server.exitCode === null) {
    server.removeAllListeners("exit");
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const signed = (n) => jsonEvent({ id: randomUUID(), type: "SignatureAdded", data: { n } });

async function collect(iterable) {
  const out = [];
  for await (const resolved of iterable) out.push(resolved.event);
  return out;
}

test("append then read a stream forwards and backwards", async () => {
  const stream = `petition-${randomUUID()}`;
  const events = [signed(1), signed(2), signed(3)];
  const res = await client.appendToStream(stream, events, { expectedRevision: NO_STREAM });
  assert.equal(res.success, true);
  assert.equal(res.nextExpectedRevision, 2n);

  const forwards = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: START }));
  assert.deepEqual(forwards.map((e) => e.revision), [0n, 1n, 2n]);
  assert.deepEqual(forwards.map((e) => e.id), events.map((e) => e.id));
  assert.deepEqual(forwards.map((e) => e.data.n), [1, 2, 3]);
  assert.ok(forwards.every((e) => e.type === "SignatureAdded" && e.streamId === stream && e.isJson));

  const last = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
  assert.deepEqual(last.map((e) => e.revision), [2n]);
});

test("a retried append with the same ids is idempotent; a conflicting one fails", async () => {
  const stream = `petition-${randomUUID()}`;
  const events = [signed(1), signed(2)];
  const first = await client.appendToStream(stream, events, { expectedRevision: NO_STREAM });
  const retry = await client.appendToStream(stream, events, { expectedRevision: NO_STREAM });
  assert.equal(retry.nextExpectedRevision, first.nextExpectedRevision);
  assert.deepEqual(retry.position, first.position);
  await assert.rejects(client.appendToStream(stream, [signed(3)], { expectedRevision: NO_STREAM }), WrongExpectedVersionError);
  const read = await collect(client.readStream(stream));
  assert.equal(read.length, 2, "the retry must not write twice");
});

test("reading a missing stream fails with StreamNotFoundError", async () => {
  await assert.rejects(collect(client.readStream(`missing-${randomUUID()}`)), StreamNotFoundError);
});

test("soft delete hides a stream until the next append; tombstone is for ever", async () => {
  const soft = `petition-${randomUUID()}`;
  await client.appendToStream(soft, [signed(1), signed(2)], { expectedRevision: NO_STREAM });
  await client.deleteStream(soft);
  await assert.rejects(collect(client.readStream(soft)), StreamNotFoundError);
  const revived = await client.appendToStream(soft, [signed(3)]);
  assert.equal(revived.nextExpectedRevision, 2n, "revisions continue after a soft delete");
  assert.deepEqual((await collect(client.readStream(soft))).map((e) => e.revision), [2n]);

  const hard = `petition-${randomUUID()}`;
  await client.appendToStream(hard, [signed(1)], { expectedRevision: NO_STREAM });
  await client.tombstoneStream(hard);
  await assert.rejects(collect(client.readStream(hard)), StreamDeletedError);
  await assert.rejects(client.appendToStream(hard, [signed(2)]), StreamDeletedError);
});

test("read $all forwards and backwards", async () => {
  const stream = `petition-${randomUUID()}`;
  await client.appendToStream(stream, [signed(1), signed(2)], { expectedRevision: NO_STREAM });
  const all = await collect(client.readAll({ direction: FORWARDS, fromPosition: START }));
  const ours = all.filter((e) => e.streamId === stream);
  assert.deepEqual(ours.map((e) => e.revision), [0n, 1n]);
  for (let i = 1; i < all.length; i++) {
    const a = all[i - 1].position;
    const b = all[i].position;
    assert.ok(a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare), "positions increase");
  }
  const last = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
  assert.equal(last.length, 1);
  assert.deepEqual(last[0].position, all[all.length - 1].position);
});

// subscribeUntil reads a subscription until done(events) is true, and
// records whether caughtUp was emitted.
async function subscribeUntil(subscription, onCaughtUp, done) {
  const seen = [];
  let caughtUp = false;
  subscription.on("caughtUp", () => {
    caughtUp = true;
    onCaughtUp?.();
  });
  for await (const resolved of subscription) {
    seen.push({ event: resolved.event, afterCaughtUp: caughtUp });
    if (done(seen)) break;
  }
  await subscription.unsubscribe();
  return { seen, caughtUp };
}

test("subscribe to $all with a stream-name filter, through caught-up into live", async () => {
  const prefix = `filtered-${randomUUID()}-`;
  await client.appendToStream(`${prefix}a`, [signed(1), signed(2)], { expectedRevision: NO_STREAM });
  await client.appendToStream(`other-${randomUUID()}`, [signed(9)], { expectedRevision: NO_STREAM });
  const checkpoints = [];
  const subscription = client.subscribeToAll({
    fromPosition: START,
    filter: streamNameFilter({
      prefixes: [prefix],
      checkpointInterval: 1,
      checkpointReached: (_sub, position) => {
        checkpoints.push(position);
      },
    }),
  });
  let liveAppend;
  const live = () => {
    liveAppend = client.appendToStream(`${prefix}b`, [signed(3)], { expectedRevision: NO_STREAM });
    liveAppend.catch(() => {}); // awaited below
  };
  const { seen, caughtUp } = await subscribeUntil(subscription, live, (s) => s.length === 3);
  assert.ok(caughtUp, "the server sent caught-up");
  await liveAppend;
  assert.ok(seen.every((s) => s.event.streamId.startsWith(prefix)), "only filtered streams are delivered");
  assert.deepEqual(seen.map((s) => `${s.event.streamId.slice(prefix.length)}@${s.event.revision}`), ["a@0", "a@1", "b@0"]);
  assert.equal(seen[2].afterCaughtUp, true, "the live event comes after caught-up");
  for (let i = 1; i < checkpoints.length; i++) {
    assert.ok(checkpoints[i - 1].commit <= checkpoints[i].commit, "checkpoints move forwards");
  }
});

test("subscribe to $all with an event-type regex filter", async () => {
  const type = `Type${randomUUID().replaceAll("-", "")}`;
  const stream = `petition-${randomUUID()}`;
  await client.appendToStream(stream, [jsonEvent({ type, data: {} }), signed(1), jsonEvent({ type, data: {} })], {
    expectedRevision: NO_STREAM,
  });
  const subscription = client.subscribeToAll({
    fromPosition: START,
    filter: eventTypeFilter({ regex: `^${type}$` }),
  });
  const { seen } = await subscribeUntil(subscription, null, (s) => s.length === 2);
  assert.deepEqual(seen.map((s) => s.event.revision), [0n, 2n]);
  assert.ok(seen.every((s) => s.event.type === type));
});
