// Package rpc holds Zhida's Twirp API: the .proto files under proto/, the
// generated code in zhidav1, and the service implementations.
package rpc

// Install the generators once (README "Regenerating the API"):
//   apt-get install -y protobuf-compiler
//   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//   go install github.com/twitchtv/twirp/protoc-gen-twirp@v8.1.3+incompatible
//go:generate protoc -I proto --go_out=. --go_opt=module=github.com/zhida/zhida/rpc --twirp_out=. --twirp_opt=module=github.com/zhida/zhida/rpc zhida/v1/library.proto zhida/v1/delivery.proto zhida/v1/matcher.proto zhida/v1/search.proto
