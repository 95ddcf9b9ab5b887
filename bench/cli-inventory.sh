#!/usr/bin/env bash
# `keydesk-cli inventory --json` over the app's saved connections: 4 connections (one per
# provider) of 10,000 keys each, every sandbox answer 20 ms late. The settings file and the
# keyring items are written as the app writes them, into a temporary data dir and a keyring
# namespace of their own; run inside scripts/desktop-session (it brings the keyring). Wall
# time of the whole process (start, keyring reads, every list, printing), BENCH_RUNS runs,
# median. Writes $BENCH_RESULTS/cli.json. Measures only: no figure here is asserted.
#   scripts/desktop-session bench/cli-inventory.sh target/release/keydesk-cli target/release/keydesk-sandbox
set -euo pipefail

cli=$1
sandbox=$2
keys=${BENCH_CLI_KEYS:-10000}
latency_ms=20
runs=${BENCH_RUNS:-5}
results=${BENCH_RESULTS:-target/bench/results}

dir=$(mktemp -d)
service="dev.keydesk.bench.$$"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$sandbox" serve --db "$dir/sandbox.db" \
  --seed "bulk:$keys" --latency-ms "$latency_ms" >"$dir/serve.out" 2>"$dir/serve.err" &
pid=$!
for _ in $(seq 600); do
  [[ -s "$dir/serve.out" ]] && break
  sleep 0.1
done
base=$(jq -r .base_url <"$dir/serve.out")

connections='[]'
for provider in oligon fiskaly syncgram strait; do
  minted=$("$sandbox" token --db "$dir/sandbox.db" "$provider")
  id="bench-$provider"
  connections=$(jq --arg id "$id" --arg provider "$provider" --arg base "$base" --argjson m "$minted" \
    '. + [{id: $id, name: "\($provider) bench", provider: $provider,
           base_url: ($base + $m.base_path), org_id: $m.credentials.organization_id,
           project_id: $m.credentials.project_id, label: null, color: null,
           sandbox: false, has_credentials: true}]' <<<"$connections")
  # The keyring item the app writes: the credential fields as one JSON object.
  jq -cj '.credentials | {token, api_key, api_secret} | with_entries(select(.value != null))' \
    <<<"$minted" | secret-tool store --label "Keydesk — $provider bench" service "$service" username "$id"
done
mkdir -p "$dir/data"
jq -n --argjson connections "$connections" '{schema_version: 1, connections: $connections}' \
  >"$dir/data/settings.json"

export KEYDESK_DATA_DIR=$dir/data KEYDESK_KEYRING_SERVICE=$service
# One run to check the output (and warm the sandbox's caches as a returning user would find
# them); then the timed ones.
"$cli" inventory --json >"$dir/inventory.json"
listed=$(jq '[.[].keys | length] | add' <"$dir/inventory.json")
times='[]'
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  "$cli" inventory --json >/dev/null
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  echo "bench: cli inventory run $i: $ms ms" >&2
  times=$(jq --argjson ms "$ms" '. + [$ms]' <<<"$times")
done
mkdir -p "$results"
jq -n --argjson times "$times" --argjson listed "$listed" --argjson keys "$keys" \
  --argjson latency "$latency_ms" --arg cli "$cli" \
  '{cli: $cli, connections: 4, keys_per_connection: $keys, latency_ms: $latency,
    listed_keys: $listed, runs_ms: $times,
    summary: {wall_ms: ($times | sort | if length % 2 == 1 then .[length / 2 | floor]
                                          else (.[length / 2 - 1] + .[length / 2]) / 2 end)}}' \
  >"$results/cli.json"
for provider in oligon fiskaly syncgram strait; do
  secret-tool clear service "$service" username "bench-$provider" || true
done
