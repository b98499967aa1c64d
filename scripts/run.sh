#!/usr/bin/env bash
# `make run`: the fake WeChat API and the app side by side. Ctrl-C (or SIGTERM) stops both and
# ends cleanly; if either stops by itself, the other is stopped too and its status returned.
set -u
cd "$(dirname "$0")/.."
PORT=${PORT:-5000}
FAKE_PORT=${FAKE_PORT:-5001}
export WECHAT_API_BASE_URL=${WECHAT_API_BASE_URL:-http://127.0.0.1:$FAKE_PORT/}

# The mini-program is an app of its own: the fake keeps its tokens and openids apart (bot/config.py).
# What WeChat pushes (receipts, a user's answer to a subscribe pop-up: POST /_fake/subscribe) goes
# to this app's /wechat and /wechat/miniapp, signed with their tokens.
.venv/bin/python -m fake_wechat --port "$FAKE_PORT" --miniapp "${WECHAT_MINIAPP_ID:-wxminidemo000000}" \
  --push-to "http://127.0.0.1:$PORT" --webhook-token "${WECHAT_TOKEN:-wufei-changchun-demo}" \
  --miniapp-token "${WECHAT_MINIAPP_TOKEN:-wufei-changchun-mini-demo}" &
fake=$!
.venv/bin/flask --app bot run --host 127.0.0.1 --port "$PORT" &
app=$!

stop() {
  kill "$app" "$fake" 2>/dev/null
  wait "$app" "$fake" 2>/dev/null
}
trap 'stop; exit 0' INT TERM
wait -n "$app" "$fake"
status=$?
stop
exit "$status"
