// results.json / results.csv: content, CSV quoting, and atomicity under SIGKILL at random moments.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reportFiles, rowsToCsv, writeReport } from "../../src/run/report/report.ts";
import { ROW_FIELDS } from "../../src/run/report/result-row.ts";
import { tempDir } from "../io/helpers.ts";
import { makeRows, reportOf } from "./rows.ts";

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir("ringann-report-");
});
afterAll(() => tmp.cleanup());

/** Splits one CSV line, honouring quotes (RFC 4180). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

test("JSON holds the rows; CSV has one header and one line per row, quoted where needed", () => {
  const rows = makeRows(16);
  const files = writeReport(join(tmp.dir, "a"), reportOf(rows));
  const json = JSON.parse(readFileSync(files.json, "utf8")) as { rows: typeof rows };
  expect(json.rows).toEqual(rows);
  const lines = readFileSync(files.csv, "utf8").trimEnd().split("\n");
  expect(lines.length).toBe(rows.length + 1);
  expect(splitCsv(lines[0]!)).toEqual([...ROW_FIELDS]);
  for (const [i, row] of rows.entries()) {
    const cells = splitCsv(lines[i + 1]!);
    expect(cells.length).toBe(ROW_FIELDS.length);
    expect(cells[ROW_FIELDS.indexOf("job")]).toBe(row.job);
    expect(Number(cells[ROW_FIELDS.indexOf("L")])).toBe(row.L);
    expect(Number(cells[ROW_FIELDS.indexOf("recall")])).toBeCloseTo(row.recall, 5);
    expect(cells[ROW_FIELDS.indexOf("recall_by_distance")]).toBe(
      row.recall_by_distance === null ? "" : String(row.recall_by_distance),
    );
  }
  expect(rowsToCsv([])).toBe(ROW_FIELDS.join(",") + "\n");
});

test("a writer killed at random moments never leaves a half-written file under the final name", async () => {
  const dir = join(tmp.dir, "killed");
  const count = 4000; // ~4 MB per write in chunks of 256 rows: kills land between chunks
  const files = reportFiles(dir);
  let sawComplete = 0;
  for (let round = 0; round < 8; round++) {
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "report-child.ts"), dir, String(count)], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const reader = child.stdout.getReader();
    await reader.read(); // "ready"
    await Bun.sleep(30 + Math.floor(Math.random() * 200));
    // The last round waits for a first complete report, so one is checked however slow the machine is.
    while (round === 7 && !(existsSync(files.json) && existsSync(files.csv))) await Bun.sleep(20);
    child.kill("SIGKILL");
    await child.exited;
    for (const file of [files.json, files.csv]) {
      if (!existsSync(file)) continue;
      const text = readFileSync(file, "utf8");
      if (file === files.json) {
        const report = JSON.parse(text) as { rows: unknown[] };
        expect(report.rows.length).toBe(count);
      } else {
        expect(text.endsWith("\n")).toBe(true);
        expect(text.trimEnd().split("\n").length).toBe(count + 1);
      }
      sawComplete++;
    }
  }
  expect(sawComplete).toBeGreaterThan(0);
  // Temporary files of killed writers carry a hidden temp name, never the final one.
  for (const name of readdirSync(dir))
    expect(name === "results.json" || name === "results.csv" || name.includes(".tmp-")).toBe(true);
}, 60_000);
