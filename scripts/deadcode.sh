#!/usr/bin/env bash
# Dead code: names nothing uses. Routes, CLI commands, hooks and registries are used by their
# decorators; what is used only from outside Python (templates, WeChat's fields, SQLAlchemy
# columns set for the record) is listed in scripts/deadcode_allowlist.py, one reason a block.
# models/statuses.py is left out: each enum is iterated whole (check constraints, filters).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/vulture bot handlers infra content models fake_wechat scripts/deadcode_allowlist.py \
  --min-confidence 60 --exclude "models/migrations,models/statuses.py" \
  --ignore-decorators "@admin.*,@api.*,@*.get,@*.post,@*.put,@*.delete,@*.route,@router.*,@click.*,@*.command,@*.before_request,@*.after_request,@*.teardown_request,@*.errorhandler,@*.app_errorhandler,@*.context_processor,@*.app_context_processor,@*.listens_for,@spec.validate,@*.field_validator,@*.model_validator,@*.fallback,@*.dialog_lookup,@webhook.*,@simulator.*,@health.*,@metrics.*,@tracked.*,@*.forgets,@endpoint,@*.addendum"
