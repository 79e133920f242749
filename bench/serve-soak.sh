#!/usr/bin/env bash
# Memory over a soak: `ringann serve` (2 threads) under `ringann bench serve` at a fixed rate for S seconds;
# the server's RSS is sampled every 30 s (start, every sample, end). Loopback only; stops by itself.
# Run: bash bench/serve-soak.sh $DATA/idx/fmnist_R64_L100 $DATA/fmnist RATE SECONDS [PORT]
set -euo pipefail
index=$1; dataset=$2; rate=$3; seconds=$4; port=${5:-18495}
bin=${RINGANN_BIN:-dist/ringann}
"$bin" serve --index "$index" --name fmnist --dataset "$dataset" --port "$port" --threads 2 --quiet > /dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
echo "t_s rss_kb"
echo "0 $(rss)"
"$bin" bench serve --url "http://127.0.0.1:$port" --rate "$rate" --duration "$seconds" --warmup 0 > "${SOAK_OUT:-/dev/stdout}" &
load=$!
start=$(date +%s)
while kill -0 $load 2>/dev/null; do
  sleep 30
  kill -0 $load 2>/dev/null && echo "$(( $(date +%s) - start )) $(rss)"
done
wait $load
echo "end $(rss)"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^ringann_http_requests_total\{code="(200|429|500|504)"\}|^ringann_queries_total'
kill -TERM $server
wait $server && echo "server exit 0"
trap - EXIT
