// Where a Worker's code lives. Under `bun run` it is the .ts file next to the caller. Inside the
// compiled binary (scripts/compile.sh embeds every src/**/*-worker.ts as an extra entry point),
// entry points sit relative to their common folder, src/, in the binary's embedded filesystem, and
// import.meta.url names the binary itself — so the path must be given from src/.
export function workerEntry(pathFromSrc: string, callerUrl: string): string | URL {
  if (callerUrl.includes("/$bunfs/")) return `./${pathFromSrc}`;
  const fileName = pathFromSrc.slice(pathFromSrc.lastIndexOf("/") + 1);
  return new URL(`./${fileName}`, callerUrl);
}
