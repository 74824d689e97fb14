#!/usr/bin/env bash
# Runs the deploy test (test/integ/integ.deploy-test.ts) in the AWS account and region of the caller's credentials
# with the project's CDK CLI: deploys its four stacks (the assertions run while the last one deploys, and a failed
# assertion fails that deployment), then destroys them, also after a failure. KEEP_STACKS=1 skips the destroy.
# Arguments go to both cdk commands (e.g. --profile NAME). README, "Deploy test".
set -uo pipefail
cd "$(dirname "$0")/../.."
cdk=(npx cdk --app 'npx tsx test/integ/integ.deploy-test.ts' --output .test-tmp/deploy-test.out)
"${cdk[@]}" deploy --all --require-approval never "$@"
status=$?
if [ "${KEEP_STACKS:-}" = 1 ]; then
  echo "KEEP_STACKS=1: the stacks stay; destroy them with: ${cdk[*]} destroy --all --force" >&2
else
  "${cdk[@]}" destroy --all --force "$@" || status=$?
fi
exit "$status"
