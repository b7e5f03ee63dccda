#!/usr/bin/env bash
# Mints the credentials bench/tokens.sh and bench/tenants.sh compare, with
# openssl alone (no JWT library to install): for tenant TENANT, role write,
# into DIR:
#   api-key, keys.txt      a key and its --api-keys-file line
#   jwt-secret, hs256.jwt  an HS256 secret (--jwt-secret-file) and a token
#   rsa.pem, jwks.json,    an RSA key, its public half as a JWKS
#   rs256.jwt              (--jwks-file, kid "bench-rs256") and a token
# Tokens expire in a day. Usage: bench/tokens/mint.sh DIR [TENANT]
# (several tenants: MINT_TENANTS="t000 t001 ..." appends a key line and an
# api-key.TENANT per tenant to the same keys.txt).

set -euo pipefail
DIR="${1:?usage: bench/tokens/mint.sh DIR [TENANT]}"
TENANT="${2:-default}"
mkdir -p "$DIR"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
sha256hex() { printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1; }

claims() {
  local exp=$(($(date +%s) + 86400))
  printf '{"sub":"bench-%s","role":"write","tenant":"%s","exp":%d}' "$1" "$TENANT" "$exp"
}

# API keys: one for TENANT, and one per MINT_TENANTS.
key="$(openssl rand -hex 24)"
printf '%s\n' "$key" >"$DIR/api-key"
printf 'bench:write:%s:%s\n' "$(sha256hex "$key")" "$TENANT" >"$DIR/keys.txt"
for t in ${MINT_TENANTS:-}; do
  key="$(openssl rand -hex 24)"
  printf '%s\n' "$key" >"$DIR/api-key.$t"
  printf 'bench-%s:write:%s:%s\n' "$t" "$(sha256hex "$key")" "$t" >>"$DIR/keys.txt"
done

# HS256.
secret="$(openssl rand -hex 32)"
printf '%s\n' "$secret" >"$DIR/jwt-secret"
input="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url).$(claims hs256 | b64url)"
sig="$(printf '%s' "$input" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary | b64url)"
printf '%s.%s\n' "$input" "$sig" >"$DIR/hs256.jwt"

# RS256, 2048-bit key; the JWKS carries its modulus and exponent.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DIR/rsa.pem" 2>/dev/null
n="$(openssl rsa -in "$DIR/rsa.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)"
e="$(printf '%06x' 65537 | xxd -r -p | b64url)"
printf '{"keys":[{"kty":"RSA","kid":"bench-rs256","use":"sig","alg":"RS256","n":"%s","e":"%s"}]}\n' "$n" "$e" >"$DIR/jwks.json"
input="$(printf '{"alg":"RS256","typ":"JWT","kid":"bench-rs256"}' | b64url).$(claims rs256 | b64url)"
sig="$(printf '%s' "$input" | openssl dgst -sha256 -sign "$DIR/rsa.pem" -binary | b64url)"
printf '%s.%s\n' "$input" "$sig" >"$DIR/rs256.jwt"
