# Herstelbrug API image: build with the Rust toolchain, run on a slim Debian.
# Dependencies are cooked in a layer of their own (cargo-chef, the common tool for this:
# its recipe lists only the manifests, so the layer is rebuilt only when Cargo.lock or a
# Cargo.toml changes), and every build is --locked to the committed Cargo.lock.
FROM rust:1.95-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.77
WORKDIR /src

FROM chef AS plan
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=plan /src/recipe.json recipe.json
# The recipe carries Cargo.lock; the final build refuses any drift from it (--locked).
RUN cargo chef cook --release -p herstelbrug-api --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p herstelbrug-api --bin herstelbrug

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/herstelbrug --create-home herstelbrug
COPY --from=build /src/target/release/herstelbrug /usr/local/bin/herstelbrug
USER herstelbrug
WORKDIR /var/lib/herstelbrug
ENV HERSTELBRUG_LISTEN=0.0.0.0:8080 \
    HERSTELBRUG_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["herstelbrug"]
CMD ["serve"]
