#!/usr/bin/env bash
# Usage: run.sh PORT
# Serves http://127.0.0.1:PORT/dev/fixed with serverless-offline in the
# foreground (exec), so killing this process (group) stops it.
set -euo pipefail

if [ "$#" -ne 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 PORT" >&2
  exit 2
fi
port=$1

cd "$(dirname "$0")"

# Install the pinned dependencies when missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch node_modules
fi

# No outbound connections: no telemetry, no notifications (update / backend
# messages), no auto update, no deprecation messages, no geo guess;
# dummy AWS credentials so nothing goes looking for real ones (instance
# metadata endpoint, SSO), none is ever used.
export SLS_TELEMETRY_DISABLED=1
export SLS_TRACKING_DISABLED=1
export SLS_NOTIFICATIONS_MODE=off
export SLS_DISABLE_AUTO_UPDATE=1
export SLS_DEPRECATION_DISABLE='*'
export SLS_GEO_LOCATION=no-cn
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true

# --lambdaPort 0: the Lambda invoke API (for the AWS SDK, always opened when
# there are functions; default 3002) gets a port from the OS, so instances
# never collide on it. --websocketPort / --albPort likewise, though they are
# only opened for websocket / alb events, of which there are none.
exec node_modules/.bin/serverless offline start \
  --httpPort "$port" --host 127.0.0.1 \
  --lambdaPort 0 --websocketPort 0 --albPort 0
