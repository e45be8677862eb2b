// The manager of `modelgate run`: builds the client from the kubeconfig (or in-cluster config),
// serves /metrics, /healthz and /readyz, starts the informers of both kinds, campaigns for
// leadership when asked to, and runs the reconcilers while it leads.
#pragma once

#include "operator/run_flags.h"

namespace modelgate {

// Runs until SIGTERM/SIGINT (returns 0 after a graceful stop that releases the Lease) or until
// leadership is lost (returns 1: the process must exit so a fresh one campaigns again).
// Returns 2 when start-up fails (bad flags, kubeconfig, a port in use), with the reason on stderr.
int RunManager(const RunFlags& flags);

}  // namespace modelgate
