#!/usr/bin/env bash
# The drift trigger of a ModelPipeline end to end (issue 10), with nothing faked: the traffic
# simulator's drift gauge -> the real Prometheus (rule FeatureDriftHigh, e2e/prometheus/rules/) ->
# the real Alertmanager (Debian's, e2e/alertmanager/up) -> the operator's webhook with its bearer
# token -> a DataDrift candidate (once, although Alertmanager repeats the notification every
# ~10 s) -> gates 1-3 -> promotion.mode Automatic: the ModelRollout moves to it -> Promoted.
# Before that, requests Alertmanager would never send are refused and create nothing: no token,
# a wrong token (401), a malformed payload (400), an unknown pipeline (404).
# The pipeline is config/demo/pipeline.yaml, the serving stack the demo's.
. "$(dirname "$0")/lib/e2e.sh"

kubectl apply --server-side -f "$E2E_REPO/crds/" >/dev/null
kubectl wait --for=condition=Established crd/modelpipelines.modelgate.io --timeout=60s >/dev/null
ns=$(new_namespace mg-drift)
prom_url=$("$E2E_REPO/e2e/prometheus/up" | tail -n1)
"$E2E_REPO/e2e/alertmanager/up" >/dev/null
receiver=drift-$ns
cleanup_receiver() { "$E2E_REPO/e2e/alertmanager/down" --receiver "$receiver" >/dev/null 2>&1 || true; }

fraud_detector_world "$ns"
kubectl -n "$ns" apply -f "$E2E_REPO/config/demo/champion.yaml" >/dev/null
kubectl -n "$ns" patch modelcandidate fraud-detector-v42 --subresource=status --type=merge \
  -p '{"status":{"phase":"Production","stage":"Production"}}' >/dev/null
token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
token_file=$E2E_LOGS/alert-token
(umask 077; printf '%s' "$token" > "$token_file")
kubectl -n "$ns" create secret generic fraud-detector-alerts --from-file=token="$token_file" >/dev/null
# The rollout names the champion at first: a finished state, so the rollout is idle.
sed -e "s|PROMETHEUS_URL|$prom_url|" -e 's|name: fraud-detector-v43|name: fraud-detector-v42|' \
  "$E2E_REPO/config/demo/rollout.yaml" | kubectl -n "$ns" apply -f - >/dev/null
kubectl -n "$ns" apply -f "$E2E_REPO/config/demo/pipeline.yaml" >/dev/null
kubectl -n "$ns" wait deployment/fraud-detector --for=condition=Available --timeout=60s >/dev/null

webhook_port=$(free_port)
start_operator drift --namespace="$ns" --leader-elect=false --metrics-addr=0 \
  --health-addr="127.0.0.1:$(free_port)" --webhook-addr="127.0.0.1:$webhook_port"
hook=http://127.0.0.1:$webhook_port/webhooks/alertmanager/$ns/fraud-detector
wait_until 30 "the pipeline is Ready and its alert token readable" \
  field_is mp/fraud-detector "$ns" '.status.conditions[?(@.type=="AlertsReady")].status' True

# post TOKEN BODY: prints "<http code> <body>".
post() {
  local auth=()
  [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
  curl -s -o "$E2E_LOGS/post.out" -w '%{http_code}' -X POST "${auth[@]}" -H 'Content-Type: application/json' \
    --data-binary "$2" "${3:-$hook}"
  echo " $(cat "$E2E_LOGS/post.out")"
}
payload='{"version":"4","groupKey":"{}:{alertname=\"FeatureDriftHigh\"}","status":"firing","receiver":"x","groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","alerts":[{"status":"firing","labels":{"alertname":"FeatureDriftHigh","model":"fraud-detector"},"annotations":{},"startsAt":"2026-12-05T00:00:00Z","fingerprint":"abc"}]}'
out=$(post "" "$payload")
check "no token: 401 with a JSON error" bash -c "[[ '$out' == 401* ]] && grep -q '\"error\"' <<<'$out'"
out=$(post "wrong-$token" "$payload")
check "a wrong token: 401" bash -c "[[ '$out' == 401* ]]"
out=$(post "$token" '{"version":"4","alerts":[')
check "a malformed payload: 400 naming what is wrong" bash -c "[[ '$out' == 400* ]] && grep -q 'malformed' <<<'$out'"
out=$(post "$token" "${payload/\"4\"/\"3\"}")
check "payload version 3: 400" bash -c "[[ '$out' == 400* ]]"
out=$(post "$token" "$payload" "http://127.0.0.1:$webhook_port/webhooks/alertmanager/$ns/nope")
check "an unknown pipeline: 404" bash -c "[[ '$out' == 404* ]]"
check "nothing was created by refused requests" [ "$(kubectl -n "$ns" get mc -l modelgate.io/pipeline=fraud-detector -o name | wc -l)" -eq 0 ]

# The real path: Alertmanager routes this namespace's FeatureDriftHigh to the operator.
"$E2E_REPO/e2e/alertmanager/up" --receiver "$receiver" --url "$hook" --token-file "$token_file" \
  --match "namespace=\"$ns\"" --match 'alertname="FeatureDriftHigh"' >/dev/null
sim_url=$("$E2E_REPO/e2e/trafficsim/up" "$ns" httproute/fraud-detector fraud-detector --seed 7 | tail -n1)
raised=$(date +%s.%N)
curl -sf -X POST "$sim_url/drift" -d '{"feature":"transaction_amount","psi":0.35}' >/dev/null
wait_until 60 "the drift alert makes a DataDrift candidate (fraud-detector-v43)" kubectl -n "$ns" get mc fraud-detector-v43
created=$(date +%s.%N)
echo "drift gauge raised -> candidate created: $(python3 -c "print(round($created - $raised, 1))") s"
check "trigger.type DataDrift" field_is mc/fraud-detector-v43 "$ns" .spec.trigger.type DataDrift
check "trigger.alert.name FeatureDriftHigh" field_is mc/fraud-detector-v43 "$ns" .spec.trigger.alert.name FeatureDriftHigh
check "trigger.alert.groupKey and fingerprints recorded" bash -c \
  "[ -n \"\$(kubectl -n $ns get mc fraud-detector-v43 -o jsonpath='{.spec.trigger.alert.groupKey}{.spec.trigger.alert.fingerprints[0]}')\" ]"
check "trigger.reason is the alert's summary" bash -c \
  "kubectl -n $ns get mc fraud-detector-v43 -o jsonpath='{.spec.trigger.reason}' | grep -q 'PSI of transaction_amount'"
wait_until 40 "Alertmanager repeats the notification and it is deduplicated" events_at_least "$ns" fraud-detector AlertDeduplicated 1
check "one DataDrift candidate despite the repeats" \
  [ "$(kubectl -n "$ns" get mc -l modelgate.io/trigger-type=DataDrift -o name | wc -l)" -eq 1 ]
wait_until 120 "gates 1-3: fraud-detector-v43 is Ready (or already rolling out)" bash -c \
  "case \$(kubectl -n $ns get mc fraud-detector-v43 -o jsonpath='{.status.phase}') in Ready|RollingOut|Production) exit 0;; esac; exit 1"
wait_until 30 "promotion.mode Automatic hands it to the rollout" field_is mr/fraud-detector "$ns" .spec.candidateRef.name fraud-detector-v43
wait_until 10 "event RolloutStarted on the pipeline" events_at_least "$ns" fraud-detector RolloutStarted 1
promoted() { [ "$(kubectl -n "$ns" get mr fraud-detector -o jsonpath='{.status.conditions[?(@.type=="Completed")].status}')" = True ] &&
             field_is mr/fraud-detector "$ns" .status.phase Promoted; }
wait_until 240 "gate 4: the rollout promotes fraud-detector-v43" promoted
check "fraud-detector-v43 is the champion" field_is mc/fraud-detector-v43 "$ns" .status.stage Production
wait_until 20 "the pipeline shows the new champion" field_is mp/fraud-detector "$ns" .status.champion.version 43
check "still one DataDrift candidate" [ "$(kubectl -n "$ns" get mc -l modelgate.io/trigger-type=DataDrift -o name | wc -l)" -eq 1 ]
curl -sf -X DELETE "$sim_url/drift" >/dev/null || true
cleanup_receiver
"$E2E_REPO/e2e/trafficsim/down" "$ns" httproute/fraud-detector >/dev/null 2>&1 || true

echo "--- kubectl describe mp fraud-detector ---"
kubectl -n "$ns" describe mp fraud-detector | sed -n '/^Spec:/,$p'
e2e_finish
