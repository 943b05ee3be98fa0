# Petition Ledger. `make test` needs nothing but Go.
GO           ?= go
BIN          := bin/petitionledger
STATICCHECK  := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS         := ./...
TEST_TIMEOUT ?= 15m

.PHONY: all build test fmt-check vet lint bench demo e2e clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/petitionledger

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# Every test, with the race detector on.
test: fmt-check vet
	$(GO) test -race -timeout $(TEST_TIMEOUT) $(PKGS)

lint: fmt-check vet
	$(GO) run $(STATICCHECK) $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

demo: build
	./$(BIN) demo

clean:
	rm -rf bin

# The stock Node.js EventStoreDB client against our EventStoreDB-protocol
# server (e2e/run.sh installs what it needs, or says what is missing).
e2e:
	GO=$(GO) ./e2e/run.sh
