#!/usr/bin/env bash
# Prints the image's size and its start-to-healthy time: from `docker run` to the first 200 of
# /_apigw/health, the median of 5 runs. Usage: scripts/image-stats.sh IMAGE
set -euo pipefail
image=${1:-apigw-local:dev}
size=$(docker image inspect -f '{{.Size}}' "$image")
times=()
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  id=$(docker run -d --rm -p 127.0.0.1::3000 "$image")
  port=$(docker port "$id" 3000/tcp | head -1 | sed 's/.*://')
  for _ in $(seq 1 2000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/_apigw/health"; then break; fi
    sleep 0.005
  done
  end=$(date +%s%N)
  docker rm -f "$id" >/dev/null
  times+=($(( (end - start) / 1000000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
awk -v img="$image" -v s="$size" -v m="$median" -v all="${times[*]}" 'BEGIN {printf "image %s: %.1f MB; start to healthy: median %d ms of 5 runs (%s ms)\n", img, s/1048576, m, all}'
