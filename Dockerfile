# The modelgate container image: the operator (`modelgate run`, the default), the offline gates
# (`modelgate gate …`) and the kubectl plugin (`kubectl-modelgate`) in one binary.
#
# Two stages: a Debian bookworm build stage (cmake + ninja, Release, warnings as errors, only the
# `modelgate` target) and a slim bookworm runtime with ONLY the shared libraries the binary needs
# (checked with ldd below, so a missing one fails the build instead of the first pod).
#
# The runtime runs as the numeric non-root user 65532 and writes nothing outside /tmp, so it works
# with readOnlyRootFilesystem: true (mount an emptyDir on /tmp when gates write reports there).
#
# Elsewhere:   docker build -t modelgate:dev .        (bases default to Docker Hub's Debian images)
# Here/CI:     scripts/build-image                    (buildah, a debootstrap'ed local base; nothing
#                                                       is pulled from a registry)
# See docs/image.md.

# Both stages start from an ARG so an offline build can point them at a local base image.
ARG BUILD_BASE_IMAGE=debian:bookworm
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BUILD_BASE_IMAGE} AS build
# The C++ build dependencies of scripts/install-deps (without the test and e2e tooling).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config ccache \
      libcpprest-dev nlohmann-json3-dev libyaml-cpp-dev libssl-dev prometheus-cpp-dev \
      libspdlog-dev libboost-dev libboost-system-dev zlib1g-dev libhowardhinnant-date-dev \
 && rm -rf /var/lib/apt/lists/*
# The context is exactly the sources of the `modelgate` target (.dockerignore is an allow-list:
# CMakeLists.txt, cmake/, gates/, controllers/, operator/), copied as one layer.
COPY . /src
# Two cores are the norm on the machines this is built on; raise JOBS where there are more.
ARG JOBS=2
# Release at -O2, the optimisation level every test runs at (scripts/build's RelWithDebInfo without
# the debug info): GCC 12 at -O3 reports a false -Wrestrict inside libstdc++'s string operator+
# (GCC bug 105329), which -Werror would turn into a failed build.
# A compiler cache is used when the builder mounts one on /ccache (scripts/build-image does, from
# ~/.cache/modelgate/ccache-image), so a rebuild after a small change recompiles only what changed.
# Without the mount (a plain `docker build`) it is a normal full build.
RUN launcher=""; if [ -d /ccache ]; then launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; fi \
 && export CCACHE_DIR=/ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1 \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
      -DMODELGATE_WERROR=ON -DMODELGATE_BUILD_TESTS=OFF $launcher >/dev/null \
 && nice -n 19 ninja -C /build -j"${JOBS}" modelgate \
 && strip /build/operator/cmd/modelgate

FROM ${BASE_IMAGE}
# Runtime libraries, found with `readelf -d` / `dpkg -S` on the built binary (docs/image.md):
#   libcpprest2.10 (+ libbrotli1), libssl3 (libssl, libcrypto), libyaml-cpp0.7, libspdlog1.10,
#   libfmt9, libprometheus-cpp-core1.0, zlib1g, libdate-tz3 (+ tzdata: the IANA zone files that
#   ModelPipeline schedules read); libstdc++6, libgcc-s1, libc6 are in the base.
# ca-certificates: the system trust store, for HTTPS Prometheus servers and HTTPS datasets and model
# artifacts (the API server's CA comes from the service account or the kubeconfig).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates libcpprest2.10 libbrotli1 libssl3 libyaml-cpp0.7 libspdlog1.10 libfmt9 \
      libprometheus-cpp-core1.0 zlib1g libdate-tz3 tzdata \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
      /usr/share/doc/* /usr/share/man/* /usr/share/info/*
COPY --from=build /build/operator/cmd/modelgate /usr/local/bin/modelgate
# The kubectl plugin is the same binary under the name kubectl looks for.
RUN ln -s modelgate /usr/local/bin/kubectl-modelgate \
 && if ldd /usr/local/bin/modelgate | grep 'not found'; then \
      echo 'runtime stage: a shared library of modelgate is missing (see above)' >&2; exit 1; \
    fi \
 && /usr/local/bin/modelgate version
# Numeric, so that runAsNonRoot can verify it without an /etc/passwd entry.
USER 65532:65532
# Nothing writes to $HOME, but a tool that tries should hit the writable /tmp, not the read-only root.
ENV HOME=/tmp
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/modelgate"]
CMD ["run"]
