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

# Benchmarks. The proxy comparison runs 5 alternating rounds and prints the mean requests/s of each side and
# their ratio (target: the HTTP_PROXY route at 80% or more of a plain httputil.ReverseProxy).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS) | tee bench.txt
	@for round in 1 2 3 4 5; do $(GO) test -run '^$$' -bench '^BenchmarkProxy$$' -benchtime 2s ./emulator/ | grep req/s; done | tee bench-proxy.txt
	@awk '/BenchmarkProxy\/plain-reverseproxy/ {for (i=1;i<=NF;i++) if ($$(i+1)=="req/s") {p+=$$i; np++}} \
	      /BenchmarkProxy\/apigw-local-http-proxy/ {for (i=1;i<=NF;i++) if ($$(i+1)=="req/s") {a+=$$i; na++}} \
	      END {if (np>0 && na>0) printf "HTTP_PROXY route: %.0f req/s, plain httputil.ReverseProxy: %.0f req/s (means of %d rounds), ratio %.1f%% (target >= 80%%)\n", a/na, p/np, np, 100*(a/na)/(p/np)}' bench-proxy.txt

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
	rm -rf bin bench.txt bench-proxy.txt
