# Herstelbrug API image: build with the Rust toolchain, run on a slim Debian.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p herstelbrug-api --bin herstelbrug

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
