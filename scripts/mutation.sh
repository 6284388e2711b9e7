#!/usr/bin/env bash
# Mutation testing (issue 9; docs/architecture.md, "Mutation score"). Too slow for CI
# (about 20 minutes on two cores): run it by hand after changing a rule or a lookup.
#   scripts/mutation.sh            fresh run of every mutant below
#   scripts/mutation.sh --resume   keep earlier verdicts (mutmut re-checks changed code)
#   scripts/mutation.sh [--resume] 'companies.rights.*' ...   only the mutants named
# Configuration: [tool.mutmut] in pyproject.toml (files and tests); the lookups are narrowed
# here, by mutant name (module.x_function__mutmut_N). Update both when modules move.
set -euo pipefail
cd "$(dirname "$0")/.."
PATTERNS=(
  "accounts.policies.*"
  "companies.policies.*"
  "companies.rights.*"
  "companies.visibility.rules.*"
  "companies.selectors.x_company_get_for_actor__mutmut_*"
  "companies.membership.selectors.x_*_get__mutmut_*"
  "companies.visibility.selectors.x_*_get*__mutmut_*"
  "subscriptions.selectors.x_*_get__mutmut_*"
)
if [[ "${1:-}" == "--resume" ]]; then
  shift
else
  rm -rf mutants
fi
if [[ $# -gt 0 ]]; then
  PATTERNS=("$@")
fi
# SQLite and the embedded broker: every mutant's fork makes its own in-memory test database,
# so two forks never share one (and no helper's PostgreSQL or Redis is touched).
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL
# Tables from the models, not the migrations (tests/conftest.py's django_db_setup then makes
# the data migrations' rows): migrating cost about 11 of the 12 seconds of each mutant's run.
# The suite itself (make test, CI) still migrates. mutmut runs the clean tests first and stops
# if any fails, so a test needing the migrations would stop the run, not fake a kill.
export PYTEST_ADDOPTS="${PYTEST_ADDOPTS:-} --no-migrations"
# Fewer hypothesis worlds per mutant, the same ones every time, no shrinking.
export RAINBOW_HYPOTHESIS_EXAMPLES="${RAINBOW_HYPOTHESIS_EXAMPLES:-15}"
test -x .venv/bin/mutmut || .venv/bin/python -m pip install --quiet -r requirements-dev.txt
.venv/bin/mutmut run --max-children "${MUTATION_CHILDREN:-2}" "${PATTERNS[@]}" | tr '\r' '\n' | tail -n 3
.venv/bin/mutmut results | grep -v ": not checked" || true
