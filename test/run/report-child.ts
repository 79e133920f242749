// Child process for report.test.ts: rewrites a large report in a loop until killed.
import { writeReport } from "../../src/run/report/report.ts";
import { makeRows, reportOf } from "./rows.ts";

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
let round = 0;
process.stdout.write("ready\n");
for (;;) {
  writeReport(dir!, reportOf(makeRows(count, round++)));
}
