#!/usr/bin/env bash
# Known vulnerabilities in the pinned dependencies: pip-audit against the OSV database.
# Any known vulnerability fails the build. pip-audit lives in its own venv so its dependencies
# never mix with the product's pins. OSV_URL points it at a mirror where api.osv.dev is blocked.
# A machine that cannot reach the database at all (a build box with only a package mirror) cannot
# check anything: it says so loudly and does not fail, since a pass would be a lie either way.
set -euo pipefail

OSV_URL="${OSV_URL:-https://api.osv.dev/v1/query}"
AUDIT_VENV=.venv-audit
[ -x "$AUDIT_VENV/bin/pip-audit" ] || { python3 -m venv "$AUDIT_VENV" && "$AUDIT_VENV/bin/pip" install -q pip-audit==2.10.1; }

if ! "$AUDIT_VENV/bin/python" - "$OSV_URL" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"{}", method="POST"), timeout=10)
except urllib.error.HTTPError:
    pass  # the service answered (400 for an empty query): it is there
except OSError as error:
    sys.exit(f"{error}")
PY
then
  echo "==================================================================================" >&2
  echo "VULNERABILITY CHECK NOT RUN: the OSV database at $OSV_URL cannot be reached from" >&2
  echo "this machine. Run 'make audit' where it can, or set OSV_URL to a reachable mirror." >&2
  echo "==================================================================================" >&2
  exit 0
fi
"$AUDIT_VENV/bin/pip-audit" --strict --no-deps --disable-pip -s osv --osv-url "$OSV_URL" \
  -r requirements.txt -r requirements-dev.txt
