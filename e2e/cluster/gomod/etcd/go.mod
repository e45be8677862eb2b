// Wrapper module that builds etcd: go.etcd.io/etcd/server/v3 has replace directives, so
// `go install …@version` is refused and the server must be built as a dependency.
module modelgate.local/e2e/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v3.6.16
