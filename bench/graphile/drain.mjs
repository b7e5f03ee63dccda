// graphile-worker's side of bench/queue.sh's drain: JOBS no-op jobs added
// in one add_jobs call (not timed), then one runner (`run()`, one Node
// process) works them off; the time runs from its first job fetch to the
// moment its jobs table is empty. Prints one JSON line:
//   {"mode", "concurrency", "jobs", "seconds", "jobsPerSecond", "left",
//    "runnerCpuMsPerJob", "postgresCpuMsPerJob"}
// (the CPU of this process from the first fetch on, and of the PostgreSQL
// backends the runner connected, read from /proc: PostgreSQL runs here).
//
// Usage: node drain.mjs default|batched CONCURRENCY [JOBS (20000)]
// Env: DATABASE_URL (a database of its own: the schema graphile_worker is
// installed into it), LOCAL_QUEUE (batched: localQueue.size, default
// 10 x CONCURRENCY), BATCH_DELAY (batched: completeJobBatchDelay and
// failJobBatchDelay in ms, default 0, as graphile-worker's own perf test),
// MAX_POOL (the most connections).

import { Logger, makeWorkerUtils, run } from "graphile-worker";
import { execSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";

const [mode = "default", concurrencyArg = "24", jobsArg = "20000"] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const jobs = Number(jobsArg);
const connectionString = process.env.DATABASE_URL;
if (!connectionString || !["default", "batched"].includes(mode) || !(concurrency > 0) || !(jobs > 0)) {
  console.error("usage: DATABASE_URL=... node drain.mjs default|batched CONCURRENCY [JOBS]");
  process.exit(2);
}

// A log line per job would time console.log rather than the queue.
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`graphile-worker ${level}: ${message}`);
});

// The pool size graphile-worker's docs recommend, 10 or concurrency + 2,
// at most MAX_POOL (a shared PostgreSQL has max_connections for all).
const maxPoolSize = Math.min(Math.max(10, concurrency + 2), Number(process.env.MAX_POOL ?? Infinity));
const batching =
  mode === "batched"
    ? {
        localQueue: { size: Number(process.env.LOCAL_QUEUE ?? 10 * concurrency) },
        completeJobBatchDelay: Number(process.env.BATCH_DELAY ?? 0),
        failJobBatchDelay: Number(process.env.BATCH_DELAY ?? 0),
      }
    : {};

const hz = Number(execSync("getconf CLK_TCK"));
// utime + stime of a process, in ticks (0 once it is gone).
const ticks = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
};
const backends = async () =>
  (
    await utils.withPgClient((client) =>
      client.query("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"),
    )
  ).rows.map((row) => row.pid);

const utils = await makeWorkerUtils({ connectionString, logger });
try {
  await utils.migrate();
  // A previous run stopped midway must not leave jobs behind for this one.
  await utils.withPgClient((client) => client.query("delete from graphile_worker._private_jobs"));
  const specs = Array.from({ length: jobs }, (_, i) => ({ identifier: "noop", payload: { i } }));
  await utils.addJobs(specs);
  await utils.withPgClient((client) => client.query("vacuum analyze graphile_worker._private_jobs"));

  const before = new Set(await backends());
  const events = new EventEmitter();
  let started = null;
  let cpuAtStart = null;
  let succeeded = 0;
  let allSucceeded;
  const done = new Promise((resolve) => (allSucceeded = resolve));
  events.on("worker:getJob:start", () => {
    if (started === null) {
      started = process.hrtime.bigint();
      cpuAtStart = process.cpuUsage();
    }
  });
  events.on("job:success", () => {
    if (++succeeded === jobs) allSucceeded();
  });
  events.on("job:error", ({ error }) => console.error(`job failed: ${error}`));

  const runner = await run({
    connectionString,
    concurrency,
    maxPoolSize,
    noHandleSignals: true,
    logger,
    events,
    taskList: { noop: async () => {} },
    preset: { worker: batching },
  });
  await done;
  // job:success comes before the completion is written (and with batching,
  // before its batch is): the queue is empty when the table says so.
  let left;
  for (;;) {
    left = Number(
      (await utils.withPgClient((client) => client.query("select count(*) as n from graphile_worker._private_jobs")))
        .rows[0].n,
    );
    if (left === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuAtStart);
  // The runner's own connections, all opened after `before`; their whole
  // lives, so their start-up too, which is small beside 20,000 jobs.
  const runnerBackends = (await backends()).filter((pid) => !before.has(pid));
  const postgresTicks = runnerBackends.reduce((sum, pid) => sum + ticks(pid), 0);
  const round = (ms) => Math.round(ms * 1000) / 1000;
  await runner.stop();
  console.log(
    JSON.stringify({ mode, concurrency, maxPoolSize, ...batching, jobs, seconds, jobsPerSecond: jobs / seconds, left,
      runnerCpuMsPerJob: round((cpu.user + cpu.system) / 1000 / jobs),
      postgresCpuMsPerJob: round((postgresTicks * 1000) / hz / jobs),
      runnerBackends: runnerBackends.length }),
  );
} finally {
  await utils.release();
}
