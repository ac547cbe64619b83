# apigw-local's container image: the static binary alone (FROM scratch), run as a non-root user.
#
# `make image` builds the binary (CGO_ENABLED=0, stripped) into bin/image/ and builds this file with that
# directory as the context, so that no base image is pulled. Tagged apigw-local:dev.
#
#   docker run --rm -p 127.0.0.1:3000:3000 apigw-local:dev                       # the embedded example API
#   docker run --rm -p 127.0.0.1:3000:3000 -v "$PWD":/work apigw-local:dev openapi.yaml
#
# /work holds the specs, the config (apigw-local.yaml is read from there when present) and handler
# binaries (static Linux executables: the image has no libc). The server listens on 0.0.0.0:3000 inside
# the container; the admin endpoints (/_apigw/health for readiness, /_apigw/usage, /_apigw/reset) accept
# clients of the private ranges a container's host reaches it from.
FROM scratch
COPY apigw-local /apigw-local
COPY --chown=65532:65532 home /home/apigw
ENV HOME=/home/apigw APIGW_LOCAL_CONFIG_DIR=/home/apigw/.config/apigw-local
USER 65532:65532
WORKDIR /work
# 3000 serves the APIs; 9001-9016 are for the Runtime API of functions served from outside the container
# (config external: {port: N}, serve --external NAME=PORT; integration.WithHandler uses them in order).
EXPOSE 3000 9001-9016
ENTRYPOINT ["/apigw-local", "serve", "--host", "0.0.0.0", "--port", "3000", "--admin-allow", "10.0.0.0/8", "--admin-allow", "172.16.0.0/12", "--admin-allow", "192.168.0.0/16", "--admin-allow", "fc00::/7"]
