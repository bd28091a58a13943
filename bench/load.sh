#!/usr/bin/env bash
# make load: the demo data on the PostgreSQL of DATABASE_URL (scripts/with-postgres starts one),
# gunicorn with DEBUG=0 on a free port of 127.0.0.1, and locust with 50 users for 60 s.
# Stops everything at the end; the exit status is non-zero if any request failed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto=https
export SECRET_KEY="${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
$PY manage.py migrate --noinput -v 0
$PY manage.py load_demo --if-empty >/dev/null
$PY manage.py collectstatic --noinput -v 0
LOAD_API_TOKEN="$($PY manage.py shell --no-imports -c "
from django.contrib.auth import get_user_model
from accounts.tokens import issue_token
print(issue_token(get_user_model().objects.get(username='koordinator-tomsk'), 'make load')[1])")"
export LOAD_API_TOKEN
port="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
.venv/bin/gunicorn talentbank.wsgi --config gunicorn.conf.py --bind "127.0.0.1:$port" --access-logfile /dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/accounts/login/" -H "X-Forwarded-Proto: https" && break
    sleep 1
done
mkdir -p artefacts/load
.venv/bin/locust -f bench/locustfile.py --headless --users "${LOAD_USERS:-50}" --spawn-rate "${LOAD_SPAWN_RATE:-5}" \
    --run-time "${LOAD_TIME:-60s}" --stop-timeout 30 --host "http://127.0.0.1:$port" \
    --csv artefacts/load/load --only-summary
