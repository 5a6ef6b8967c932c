# syntax=docker/dockerfile:1.7
#
# The one Relais image: a static `relais` binary on distroless, non-root.
# Every target runs from it (`relais -target=catalog`, `-target=gateway`, …;
# the default `all` runs everything in one process with its data in /data).
#
#   docker build -t relais:dev --build-arg VERSION="$(git describe --always --dirty)" .
#   docker run --rm -p 8080:8080 -v relais-data:/data relais:dev -demo.load
#
# The build context is the repository root (go.work and every module);
# .dockerignore keeps it to the Go sources. Cross-builds run the compiler
# natively ($BUILDPLATFORM) and only set GOOS/GOARCH.

# The Go toolchain: at least go.work's `go` line (the official images set
# GOTOOLCHAIN=local, so an older one would refuse the workspace).
ARG GO_VERSION=1.26.8
ARG BASE_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
# The sources are bind-mounted (nothing is copied into a layer); modules and
# the build cache live in cache mounts shared by every build on this builder.
RUN --mount=type=bind,target=/src \
    --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS="${TARGETOS:-linux}" GOARCH="${TARGETARCH:-amd64}" \
    go build -trimpath \
      -ldflags="-s -w -X github.com/relais-data/relais/services/relais.Version=${VERSION}" \
      -o /out/relais ./services/relais/cmd/relais \
 && mkdir -p /out/data

FROM ${BASE_IMAGE}
ARG VERSION=dev
ARG REVISION=""
LABEL org.opencontainers.image.title="relais" \
      org.opencontainers.image.description="Relais: a data.gouv.fr-compatible open-data portal, every target in one binary" \
      org.opencontainers.image.source="https://github.com/relais-data/relais" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/relais /usr/local/bin/relais
COPY --from=build --chown=65532:65532 /out/data /data
# In a container the admin (/healthz /readyz /metrics) and catalog gRPC
# listeners must not stay on loopback, or nothing outside reaches them.
ENV RELAIS_DATA_DIR=/data \
    RELAIS_ADMIN_ADDR=:9090 \
    RELAIS_CATALOG_GRPC_ADDR=:9091
WORKDIR /data
VOLUME ["/data"]
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
# 8080: HTTP (gateway, also /healthz and /readyz); 9090: admin; 9091: catalog gRPC.
EXPOSE 8080 9090 9091
ENTRYPOINT ["relais"]
