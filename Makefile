# apigw-local: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/apigw-local
PKGS    := ./...
BENCHTIME ?= 3s

.PHONY: build run test bench lint fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/apigw-local

# Serves the embedded example API on http://127.0.0.1:3000/dev
run:
	$(GO) run ./cmd/apigw-local serve

test:
	$(GO) test -race -count=1 $(PKGS)

# Benchmarks; the proxy comparison is summarised as a ratio (target: apigw-local >= 80% of the plain proxy).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS) | tee bench.txt
	@awk '/BenchmarkProxy\/plain-reverseproxy/ {for (i=1;i<=NF;i++) if ($$(i+1)=="req/s") p=$$i} \
	      /BenchmarkProxy\/apigw-local-http-proxy/ {for (i=1;i<=NF;i++) if ($$(i+1)=="req/s") a=$$i} \
	      END {if (p>0) printf "HTTP_PROXY route: %.0f req/s, plain httputil.ReverseProxy: %.0f req/s, ratio %.1f%% (target >= 80%%)\n", a, p, 100*a/p}' bench.txt

lint:
	@test -z "$$(gofmt -l $$(find . -name '*.go' -not -path './vendor/*'))" || (gofmt -l $$(find . -name '*.go'); echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet $(PKGS)

# Short fuzz runs of every parser (go test -fuzz takes one target at a time).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./emulator/spec/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./emulator/config/
	$(GO) test -run '^$$' -fuzz '^FuzzLookup$$' -fuzztime $(FUZZTIME) ./emulator/router/

clean:
	rm -rf bin bench.txt
