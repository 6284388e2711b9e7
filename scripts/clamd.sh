#!/usr/bin/env bash
# Start or stop a private clamd for the portal (SPEC §9.2), used by .ci/run and by the test
# suite's session fixture. Signatures come only from the repo's vault/clamav/ (no freshclam,
# no network). Usage:
#   scripts/clamd.sh start <dir>   # writes <dir>/clamd.conf, starts clamd, waits for the socket,
#                                  # prints the socket path; reuses a clamd already running there
#   scripts/clamd.sh stop <dir>    # stops the clamd whose pid is in <dir>/clamd.pid
# Limits sit above the portal's upload cap (UPLOAD_MAX_BYTES, 100 MB by default) so that the
# cap, not clamd, decides; AlertExceedsMax turns any limit hit into a finding (refused).
set -euo pipefail
action="${1:-}"
dir="${2:-}"
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop <dir>" >&2
  exit 2
fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
clamd_bin="${CLAMD_BIN:-$(command -v clamd || echo /usr/sbin/clamd)}"
limit="${CLAMD_LIMIT:-200M}"

running() { [ -f "$dir/clamd.pid" ] && kill -0 "$(cat "$dir/clamd.pid")" 2>/dev/null; }

case "$action" in
  start)
    mkdir -p "$dir/tmp"
    dir="$(cd "$dir" && pwd)"
    if running && [ -S "$dir/clamd.sock" ]; then
      echo "$dir/clamd.sock"
      exit 0
    fi
    if [ ! -x "$clamd_bin" ]; then
      echo "clamd not found (apt-get install -y clamav-daemon)" >&2
      exit 3
    fi
    cat > "$dir/clamd.conf" <<CONF
DatabaseDirectory $repo/vault/clamav
LocalSocket $dir/clamd.sock
FixStaleSocket yes
PidFile $dir/clamd.pid
LogFile $dir/clamd.log
TemporaryDirectory $dir/tmp
Foreground no
StreamMaxLength $limit
MaxFileSize $limit
MaxScanSize $limit
AlertExceedsMax yes
MaxThreads 2
SelfCheck 0
CONF
    "$clamd_bin" --config-file="$dir/clamd.conf"
    for _ in $(seq 150); do
      if [ -S "$dir/clamd.sock" ] && running; then
        echo "$dir/clamd.sock"
        exit 0
      fi
      sleep 0.2
    done
    echo "clamd did not open $dir/clamd.sock; its log:" >&2
    cat "$dir/clamd.log" >&2 || true
    exit 1
    ;;
  stop)
    if running; then
      pid="$(cat "$dir/clamd.pid")"
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$dir/clamd.pid"
    ;;
  *)
    echo "usage: $0 start|stop <dir>" >&2
    exit 2
    ;;
esac
