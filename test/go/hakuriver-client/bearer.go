package main

import "context"

// bearerToken sends "authorization: Bearer TOKEN" on every call of a connection
// (gRPC per-RPC credentials), the way the Host's other clients authenticate.
type bearerToken string

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (t bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

// RequireTransportSecurity is false: the tests speak h2c to a Host on loopback.
// A client over a network would use TLS transport credentials instead.
func (bearerToken) RequireTransportSecurity() bool { return false }
