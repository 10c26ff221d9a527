/**
 * Preloaded (`node --import`) into every keeper daemon the devnet supervises: when the devnet process that
 * started the daemon is gone (the daemon was re-parented, e.g. the devnet was killed with SIGKILL and could
 * not stop its children), the daemon sends itself SIGTERM, which its own loop handles by finishing the
 * current pass and exiting; a daemon that has not exited ten seconds later exits. So no devnet leaves
 * keeper daemons behind.
 */
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, "SIGTERM");
  setTimeout(() => process.exit(143), 10_000).unref();
}, 1_000);
watch.unref();
