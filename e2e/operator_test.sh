#!/usr/bin/env bash
# End-to-end test of the operator runtime against the real control plane, the way users work
# (kubectl apply / get / describe / wait):
#   - a ModelCandidate is accepted: status.phase Pending, Accepted condition, an Event;
#   - a ModelRollout the schema accepts but the operator cannot honour gets an Invalid condition;
#   - a new generation is admitted again; repeated reconciles write nothing new;
#   - an operator restarted resumes: objects created while it was down are admitted, objects
#     already admitted are not admitted twice;
#   - the watch survives a kube-apiserver restart (SIGKILL, then e2e/cluster/up restarts it);
#   - two replicas with leader election: one leads; SIGKILL the leader and the other takes over
#     once the Lease expires; SIGTERM releases the Lease for an immediate hand-over.
. "$(dirname "$0")/lib/e2e.sh"

kubectl apply --server-side -f "$E2E_REPO/crds/" >/dev/null
kubectl wait --for=condition=Established crd/modelcandidates.modelgate.io crd/modelrollouts.modelgate.io --timeout=60s >/dev/null

ns=$(new_namespace mg-operator)

accepted() { field_is "mc/$1" "$ns" '.status.conditions[?(@.type=="Accepted")].status' True; }

# --- admission ---------------------------------------------------------------------------------
health=$(free_port)
start_operator main --health-addr="127.0.0.1:$health" --metrics-addr="127.0.0.1:$(free_port)"
wait_until 30 "operator becomes ready (/readyz)" curl -sf "http://127.0.0.1:$health/readyz"
candidate fraud-v1 1
wait_until 20 "a new ModelCandidate is accepted" accepted fraud-v1
check "its phase is Pending" field_is mc/fraud-v1 "$ns" .status.phase Pending
check "its stage is Candidate" field_is mc/fraud-v1 "$ns" .status.stage Candidate
check "status.observedGeneration is 1" field_is mc/fraud-v1 "$ns" .status.observedGeneration 1
wait_until 10 "kubectl describe shows the Accepted event" \
  bash -c "kubectl -n $ns describe mc fraud-v1 | grep -q 'Accepted.*generation 1'"
check "kubectl get mc shows the phase column" \
  bash -c "kubectl -n $ns get mc fraud-v1 --no-headers | grep -q Pending"

kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata: {name: fraud-replicas}
spec:
  candidateRef: {name: fraud-v1}
  target: {deployment: fraud-detector, container: model, service: fraud-detector}
  traffic: {replicas: {}}
  shadow: {percent: 10, duration: 2m}
  canary: {steps: [{weight: 10, soak: 1m}]}
  analysis:
    interval: 30s
    prometheus: {address: "http://127.0.0.1:9090"}
    metrics:
    - name: error-rate
      query: 'sum(rate(errors{variant="{{variant}}"}[1m]))'
      max: 0.05
      onNoData: Hold
EOX
wait_until 20 "a shadow with replicas traffic gets an Invalid condition" \
  field_is mr/fraud-replicas "$ns" '.status.conditions[?(@.type=="Invalid")].status' True
check "the Invalid message names spec.shadow" \
  bash -c "kubectl -n $ns get mr fraud-replicas -o jsonpath='{.status.conditions[?(@.type==\"Invalid\")].message}' | grep -q 'spec.shadow'"
wait_until 10 "an InvalidSpec Warning event is recorded" events_at_least "$ns" fraud-replicas InvalidSpec 1

kubectl -n "$ns" patch mc fraud-v1 --type=merge -p '{"spec":{"trigger":{"reason":"e2e, second generation"}}}' >/dev/null
wait_until 20 "a new generation is admitted (observedGeneration 2)" field_is mc/fraud-v1 "$ns" .status.observedGeneration 2
rv_before=$(jsonpath mc/fraud-v1 "$ns" .metadata.resourceVersion)

# --- restart ------------------------------------------------------------------------------------
kill -TERM "$OPERATOR_PID"
wait "$OPERATOR_PID"; rc=$?
check "SIGTERM stops the operator cleanly (exit 0, got $rc)" [ "$rc" -eq 0 ]
candidate fraud-v2 2
start_operator restarted --health-addr="127.0.0.1:$health" --metrics-addr=0
wait_until 30 "after a restart, a candidate created while the operator was down is accepted" accepted fraud-v2
check "an admitted generation is not admitted again after the restart (no status write)" \
  field_is mc/fraud-v1 "$ns" .metadata.resourceVersion "$rv_before"
check "exactly two Accepted events for fraud-v1 (generations 1 and 2)" events_exactly "$ns" fraud-v1 Accepted 2

# --- kube-apiserver restart ----------------------------------------------------------------------
apiserver_pid=$(cat "${MODELGATE_CLUSTER_DIR:-/tmp/modelgate-cluster}/run/kube-apiserver.pid")
kill -KILL "$apiserver_pid"
wait_until 10 "kube-apiserver is down" bash -c "! kill -0 $apiserver_pid 2>/dev/null"
"$E2E_REPO/e2e/cluster/up" >/dev/null 2>"$E2E_LOGS/up-restart.log"
apiserver_ready() { kubectl get --raw /readyz >/dev/null; }
check "e2e/cluster/up restarts the kube-apiserver" apiserver_ready
candidate fraud-v3 3
wait_until 60 "the watch survived the apiserver restart: a new candidate is accepted" accepted fraud-v3
kill -TERM "$OPERATOR_PID"; wait "$OPERATOR_PID"

# --- leader election -----------------------------------------------------------------------------
lease=modelgate-e2e-$RANDOM
leader_of() { jsonpath "lease/$lease" "$ns" .spec.holderIdentity; }
m1=$(free_port); m2=$(free_port)
start_operator replica-1 --leader-elect --leader-election-namespace="$ns" --leader-election-id="$lease" \
  --metrics-addr="127.0.0.1:$m1" --health-addr=0
pid1=$OPERATOR_PID
start_operator replica-2 --leader-elect --leader-election-namespace="$ns" --leader-election-id="$lease" \
  --metrics-addr="127.0.0.1:$m2" --health-addr=0
pid2=$OPERATOR_PID
is_leader() { curl -sf "http://127.0.0.1:$1/metrics" | grep -Eq '^leader_election_master_status\{.*\} 1'; }
leaders() { local n=0; is_leader "$m1" && n=$((n + 1)); is_leader "$m2" && n=$((n + 1)); echo "$n"; }
has_holder() { [ -n "$(leader_of)" ]; }
wait_until 40 "one of two replicas acquires the Lease" has_holder
one_leader() { [ "$(leaders)" = 1 ]; }  # a function, so each poll counts again
wait_until 20 "exactly one replica reports leader_election_master_status 1" one_leader
first_holder=$(leader_of)
# The Lease says who leads; each replica logged its identity when it started campaigning.
if [ "$first_holder" = "$(identity_of replica-1)" ]; then
  leader_pid=$pid1; follower_port=$m2
else
  leader_pid=$pid2; follower_port=$m1
fi
check "the Lease holder ($first_holder) is one of the two replicas" \
  [ "$first_holder" = "$(identity_of replica-1)" -o "$first_holder" = "$(identity_of replica-2)" ]
candidate fraud-v4 4
wait_until 20 "the leader reconciles" accepted fraud-v4

killed_at=$SECONDS
kill -KILL "$leader_pid"
wait "$leader_pid" 2>/dev/null
holder_changed_from() { local h; h=$(leader_of); [ -n "$h" ] && [ "$h" != "$1" ]; }
wait_until 40 "after SIGKILL of the leader the other replica takes over the Lease" holder_changed_from "$first_holder"
echo "INFO: takeover after SIGKILL took $((SECONDS - killed_at))s (lease duration 15s, retry period 2s)"
wait_until 20 "the new leader reports leader_election_master_status 1" is_leader "$follower_port"
candidate fraud-v5 5
wait_until 20 "the new leader reconciles" accepted fraud-v5

# A graceful stop releases the Lease, so a successor does not wait for it to expire.
new_leader_pid=$([ "$leader_pid" = "$pid1" ] && echo "$pid2" || echo "$pid1")
start_operator replica-3 --leader-elect --leader-election-namespace="$ns" --leader-election-id="$lease" \
  --metrics-addr="127.0.0.1:$(free_port)" --health-addr=0
second_holder=$(leader_of)
kill -TERM "$new_leader_pid"; wait "$new_leader_pid"; rc=$?
check "the leader exits 0 on SIGTERM (got $rc)" [ "$rc" -eq 0 ]
released_at=$SECONDS
wait_until 12 "after SIGTERM the standby replica takes over before the Lease would expire" holder_changed_from "$second_holder"
echo "INFO: hand-over after SIGTERM took $((SECONDS - released_at))s"

e2e_finish
