// `ringann serve` as a command: a bad CONFIG.json lists every problem with its JSON path (exit 2), and
// the compiled executable stops gracefully on SIGTERM — requests in flight finish with their answers,
// the rings drain, the process exits 0.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { type ServedFixture, servedFixture } from "./fixture.ts";

const root = join(import.meta.dir, "../..");
const binary = join(root, "dist/ringann");
let f: ServedFixture;
const DIM = 16;

beforeAll(() => {
  f = servedFixture({ n: 400, dim: DIM });
  // The binary must know `serve`: rebuild when it is missing or older than this command.
  const probe = Bun.spawnSync([binary, "serve", "--help"]);
  if (probe.exitCode !== 0 || !probe.stdout.toString().includes("SO_REUSEPORT")) {
    const built = Bun.spawnSync(["bash", join(root, "scripts/compile.sh")], { cwd: root });
    if (built.exitCode !== 0) throw new Error(`scripts/compile.sh failed:\n${built.stderr.toString()}`);
  }
}, 300_000);
afterAll(() => f?.cleanup());

test("a bad serve config lists every problem with its JSON path", () => {
  const file = join(f.t.dir, "bad-serve.json");
  writeFileSync(
    file,
    JSON.stringify({
      port: 99999,
      thread: 2,
      indexes: [
        { name: "a b", index: "x", concurency: 3, defaults: { mode: "fast" } },
        { name: "ok", index: "y", limits: { max_L: 0 } },
      ],
    }),
  );
  const p = Bun.spawnSync([process.execPath, join(root, "src/cli/main.ts"), "serve", file]);
  const err = p.stderr.toString();
  expect(p.exitCode).toBe(2);
  expect(err).toContain("port: expected an integer from 0 to 65535");
  expect(err).toContain("unknown field 'thread' (did you mean 'threads'?)");
  expect(err).toContain("indexes[0]: unknown field 'concurency' (did you mean 'concurrency'?)");
  expect(err).toContain('indexes[0].defaults.mode: expected "beam" | "pipe"');
  expect(err).toContain("indexes[0].name: expected letters, digits");
  expect(err).toContain("indexes[1].limits.max_L: expected an integer");
});

test("dist/ringann serve: SIGTERM lets in-flight requests finish, then exits 0", async () => {
  const index = await DiskIndex.open(f.t.prefix, { maxL: 400 });
  const want = Array.from({ length: f.nq }, (_, q) =>
    Array.from(index.search(f.queries, { k: 10, L: 300, mode: "beam" }, q * DIM).ids).join(","),
  );
  index.close();
  const proc = Bun.spawn(
    [
      binary,
      "serve",
      "--index",
      f.t.prefix,
      "--name",
      "tiny",
      "--port",
      "0",
      "--threads",
      "2",
      "--concurrency",
      "2",
      "--max-L",
      "400",
    ],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  const url = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  expect(url).toBeDefined();
  // 12 requests of 20 slow queries each (beam, L=300 over 400 points): still running when SIGTERM lands.
  const rows = (start: number): number[][] =>
    Array.from({ length: 20 }, (_, i) =>
      Array.from(f.queries.subarray(((start + i) % f.nq) * DIM, (((start + i) % f.nq) + 1) * DIM)),
    );
  const pending = Array.from({ length: 12 }, (_, r) =>
    fetch(`${url}/v1/indexes/tiny/search`, {
      method: "POST",
      body: JSON.stringify({ vectors: rows(r), k: 10, L: 300, mode: "beam" }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as { results: { ids: number[] }[] } })),
  );
  await new Promise((r) => setTimeout(r, 150));
  proc.kill("SIGTERM");
  const answers = await Promise.all(pending);
  const code = await proc.exited;
  const stderr = await new Response(proc.stderr).text();
  expect(answers.map((a) => a.status)).toEqual(new Array(12).fill(200));
  answers.forEach((a, r) =>
    expect(a.body.results.map((x) => x.ids.join(","))).toEqual(rows(r).map((_, i) => want[(r + i) % f.nq]!)),
  );
  expect(stderr).toContain("SIGTERM: finishing in-flight requests");
  expect(stderr).toContain("stopped");
  expect(code).toBe(0);
  const after = await fetch(`${url}/healthz`).then(
    () => "answered",
    () => "refused",
  );
  expect(after).toBe("refused");
}, 120_000);

test("ringann run: a serve job serves the index for its seconds, then the run ends with 0", async () => {
  const file = join(f.t.dir, "run-serve.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: "rs",
      output: join(f.t.dir, "rs-out"),
      jobs: [{ type: "serve", name: "tiny", index: f.t.prefix, dataset: f.datasetDir, port: 0, seconds: 6, L: 40 }],
    }),
  );
  const proc = Bun.spawn([process.execPath, join(root, "src/cli/main.ts"), "run", file], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const decoder = new TextDecoder();
  let seen = "";
  let url: string | undefined;
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      for await (const chunk of stream) seen += decoder.decode(chunk);
    })();
  }
  for (let i = 0; i < 100 && url === undefined; i++) {
    await new Promise((r) => setTimeout(r, 50));
    url = /serving tiny on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen)?.[1];
  }
  expect(url).toBeDefined();
  const res = await fetch(`${url}/v1/indexes/tiny/search`, {
    method: "POST",
    body: JSON.stringify({ vector: Array.from(f.queries.subarray(0, DIM)) }),
  });
  expect(res.status).toBe(200);
  expect(await proc.exited).toBe(0);
  expect(seen).toContain("1 queries answered");
}, 60_000);

test("serve starts again under the serving allocator: same PID, MIMALLOC_PURGE_DELAY=-1 unless already chosen", async () => {
  const { MIMALLOC_PURGE_DELAY: _, RINGANN_ALLOCATOR: __, ...env } = process.env;
  const environOf = async (extra: Record<string, string>): Promise<string | undefined> => {
    const proc = Bun.spawn(
      [process.execPath, join(root, "src/cli/main.ts"), "serve", "--index", f.t.prefix, "--port", "0", "--quiet"],
      { stdout: "pipe", stderr: "pipe", env: { ...env, ...extra } },
    );
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    expect(out).toContain("listening http://127.0.0.1:");
    // Read through the PID Bun.spawn returned: execve kept it.
    const vars = (await Bun.file(`/proc/${proc.pid}/environ`).text()).split("\0");
    const url = /listening (\S+)/.exec(out)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    return vars.find((v) => v.startsWith("MIMALLOC_PURGE_DELAY="));
  };
  expect(await environOf({})).toBe("MIMALLOC_PURGE_DELAY=-1");
  expect(await environOf({ MIMALLOC_PURGE_DELAY: "250" })).toBe("MIMALLOC_PURGE_DELAY=250");
  expect(await environOf({ RINGANN_ALLOCATOR: "default" })).toBeUndefined();
}, 60_000);
