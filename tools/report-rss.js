// Preloaded by the bench into each process it times (`node --require`): writes the process's own
// peak resident set size, in KiB, to $BENCH_RSS_FILE as it exits.
"use strict";
process.on("exit", () => {
  require("node:fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
