// The Go anchor for Benchmarks/compare. Built offline from Debian's golang-golang-x-oauth2-dev:
// GOFLAGS=-mod=mod GOPROXY=off go build (Benchmarks/compare does it); nothing is fetched.
module oauthtop.local/anchors/go

go 1.19

require golang.org/x/oauth2 v0.0.0

require golang.org/x/net v0.3.0 // indirect

replace golang.org/x/oauth2 => /usr/share/gocode/src/golang.org/x/oauth2

replace golang.org/x/net => /usr/share/gocode/src/golang.org/x/net
