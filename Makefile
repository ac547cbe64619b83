# apigw-local: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/apigw-local
PKGS    := ./...
BENCHTIME ?= 3s

.PHONY: build run test bench lint fuzz clean image image-stats

build:
	$(GO) build -o $(BIN) ./cmd/apigw-local

# `make run` serves the embedded example API on http://127.0.0.1:3000/dev. PORT=8080 changes the port;
# ARGS='api.yaml -c apigw-local.yaml' serves your own spec. The recipe execs the binary, so the server is
# make's own child (under `go run` it was a grandchild, which outlived a killed make): Ctrl-C reaches it
# with the rest of the job, and so does `kill <make's pid>`, as make passes SIGTERM on to the recipe it
# runs and waits for it.
PORT    = 3000
ARGS    =
run: build
	exec $(BIN) serve --port $(PORT) $(ARGS)

test:
	$(GO) test -race -count=1 $(PKGS)

# Benchmarks. After the go test benchmarks, internal/benchtable prints one comparison table from one run:
# apigw-local against the plain server doing the same job (a bare net/http handler for a MOCK route, a plain
# httputil.ReverseProxy for an HTTP_PROXY route, the handler in-process for a Lambda process route,
# serverless-offline when bench/peer/run.sh and node are there), each server in its own process, in
# alternating rounds, with cold start and hot-reload latency, and a line per target saying ok or MISSED.
# It also writes bench-table.txt. BENCHTABLE_ARGS='-n 5000 -rounds 3' shortens it; BENCHTABLE_CPUPROFILE=DIR leaves each server's CPU profile in DIR. BenchmarkMeter is the
# limiter's cost per request.
BENCHTABLE_ARGS ?=
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS) | tee bench.txt
	$(GO) run ./internal/benchtable -bench-txt bench.txt -out bench-table.txt $(BENCHTABLE_ARGS)
	@awk '/^BenchmarkMeter-/ {printf "limiter (API key, quota, 4 token buckets) at 8 concurrent clients: %s ns/request, %s allocs\n", $$3, $$7}' bench.txt
	@awk '/^BenchmarkReloadLatency-/ {for (i=1;i<=NF;i++) {if ($$(i+1)=="p50-ms") p50=$$i; if ($$(i+1)=="p99-ms") p99=$$i}; printf "hot reload, write to live over 50 spec edits: p50 %s ms, p99 %s ms (target p99 <= 100 ms)\n", p50, p99}' bench.txt
	@awk '/^BenchmarkAuthorizer\/none-/ {n=$$3} /^BenchmarkAuthorizer\/cached-/ {c=$$3} END {if (n && c) printf "cached Lambda authorizer: %.1f us of gateway CPU per request over the same route without one (target < 5 us)\n", (c-n)/1000}' bench.txt
	@awk '/^BenchmarkValidateBody\/order-/ {printf "request validator, body of a typical 1 KB JSON request against its model: %.1f us (target <= 10 us)\n", $$3/1000}' bench.txt
	@awk '/^BenchmarkStageCache\/hit-/ {h=$$3} /^BenchmarkStageCache\/miss-/ {m=$$3} END {if (h && m) printf "stage cache: a hit %.1f us, a miss (HTTP_PROXY backend called) %.1f us per request\n", h/1000, m/1000}' bench.txt
	@awk '/^BenchmarkSimulate-/ {for (i=1;i<=NF;i++) if ($$(i+1)=="lines/s") r=$$i; printf "simulate: %.0f access log lines per second (target: 1,000,000 lines in under 10 s, 100,000 lines/s)\n", r}' bench.txt

lint:
	@test -z "$$(gofmt -l $$(find . -name '*.go' -not -path './vendor/*'))" || (gofmt -l $$(find . -name '*.go'); echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet $(PKGS)

# Short fuzz runs of every parser (go test -fuzz takes one target at a time).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/spec/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/config/
	$(GO) test -run '^$$' -fuzz '^FuzzLookup$$' -fuzztime $(FUZZTIME) ./emulator/internal/router/
	$(GO) test -run '^$$' -fuzz '^FuzzCompileLogFormat$$' -fuzztime $(FUZZTIME) ./emulator/
	$(GO) test -run '^$$' -fuzz '^FuzzImport$$' -fuzztime $(FUZZTIME) ./internal/awsimport/
	$(GO) test -run '^$$' -fuzz '^FuzzLogReader$$' -fuzztime $(FUZZTIME) ./cmd/apigw-local/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./emulator/internal/parammap/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./internal/findings/
	$(GO) test -run '^$$' -fuzz '^FuzzParseExecute$$' -fuzztime $(FUZZTIME) ./vtl/
	$(GO) test -run '^$$' -fuzz '^FuzzResponseV1$$' -fuzztime $(FUZZTIME) ./emulator/internal/lambdaproxy/
	$(GO) test -run '^$$' -fuzz '^FuzzResponseV2$$' -fuzztime $(FUZZTIME) ./emulator/internal/lambdaproxy/
	$(GO) test -run '^$$' -fuzz '^FuzzEventV1$$' -fuzztime $(FUZZTIME) ./emulator/internal/lambdaproxy/
	$(GO) test -run '^$$' -fuzz '^FuzzJSONString$$' -fuzztime $(FUZZTIME) ./emulator/internal/lambdaproxy/
	$(GO) test -run '^$$' -fuzz '^FuzzEventEquivalence$$' -fuzztime $(FUZZTIME) ./emulator/internal/lambdaproxy/
	$(GO) test -run '^$$' -fuzz '^FuzzResponseEquivalence$$' -fuzztime $(FUZZTIME) ./emulator/internal/lambdaproxy/
	$(GO) test -run '^$$' -fuzz '^FuzzJavaRegex$$' -fuzztime $(FUZZTIME) ./vtl/
	$(GO) test -run '^$$' -fuzz '^FuzzParseAnswer$$' -fuzztime $(FUZZTIME) ./emulator/internal/authorizer/
	$(GO) test -run '^$$' -fuzz '^FuzzParseHTTPAnswer$$' -fuzztime $(FUZZTIME) ./emulator/internal/authorizer/
	$(GO) test -run '^$$' -fuzz '^FuzzClaimText$$' -fuzztime $(FUZZTIME) ./emulator/internal/authorizer/
	$(GO) test -run '^$$' -fuzz '^FuzzJWTAuthorize$$' -fuzztime $(FUZZTIME) ./emulator/internal/authorizer/
	$(GO) test -run '^$$' -fuzz '^FuzzCORS$$' -fuzztime $(FUZZTIME) ./emulator/internal/cors/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./emulator/internal/parammap/
	$(GO) test -run '^$$' -fuzz '^FuzzParseAuthorization$$' -fuzztime $(FUZZTIME) ./internal/sigv4/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/iampolicy/
	$(GO) test -run '^$$' -fuzz '^FuzzMatch$$' -fuzztime $(FUZZTIME) ./internal/iampolicy/

# The container image apigw-local:dev (Dockerfile): a static, stripped binary in an image FROM scratch. The
# build context is bin/image, so nothing else of the tree is sent and no base image is pulled.
IMAGE ?= apigw-local:dev
image:
	rm -rf bin/image && mkdir -p bin/image/home
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags='-s -w' -o bin/image/apigw-local ./cmd/apigw-local
	docker build -q -t $(IMAGE) -f Dockerfile bin/image

# The image's size and its start-to-healthy time (docker run to the first 200 of /_apigw/health), median
# of 5 runs.
image-stats: image
	@bash scripts/image-stats.sh $(IMAGE)

clean:
	rm -rf bin bench.txt bench-ratio.txt bench-table.txt
