#!/usr/bin/env bash
# Development certificates shaped like the Makapix service's (see ../shared/makapix-protocol.md §2).
# Private keys are written only under the folder you name; never commit them.
#
#   certs/make-dev-certs.sh ca DIR              CA (RSA 4096) + broker certificate (RSA 4096, SAN localhost/127.0.0.1)
#   certs/make-dev-certs.sh player DIR KEY      player certificate for KEY (a UUID), signed by DIR's CA
#
# Set DEV_CERT_BITS=2048 to make the CA and broker keys faster to generate (tests do), and
# DEV_PLAYER_DAYS=N for a player certificate valid N days instead of 1095 (renewal tests and demos).
set -euo pipefail

usage() { sed -n '2,8p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 dir=$2
bits=${DEV_CERT_BITS:-4096}
mkdir -p "$dir"
chmod 700 "$dir"

case "$command" in
  ca)
    openssl req -x509 -newkey "rsa:$bits" -sha256 -nodes -days 3650 \
      -keyout "$dir/ca.key" -out "$dir/ca.crt" -subj "/C=US/O=Makapix/CN=Makapix Dev CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey "rsa:$bits" -sha256 -nodes -keyout "$dir/broker.key" -out "$dir/broker.csr" \
      -subj "/C=US/O=Makapix/CN=localhost" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:makapix.club,DNS:development.makapix.club" \
      "extendedKeyUsage=serverAuth" > "$dir/broker.ext"
    openssl x509 -req -in "$dir/broker.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 825 -sha256 -extfile "$dir/broker.ext" -out "$dir/broker.crt" 2>/dev/null
    rm -f "$dir/broker.csr" "$dir/broker.ext"
    echo "$dir/ca.crt $dir/broker.crt"
    ;;
  player)
    [ $# -eq 3 ] || usage
    key=$3
    [[ "$key" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || { echo "player key must be a lowercase UUID" >&2; exit 2; }
    [ -f "$dir/ca.key" ] || { echo "no CA in $dir: run '$0 ca $dir' first" >&2; exit 2; }
    # Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), as provisioning delivers it.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/player-$key.key" 2>/dev/null
    openssl req -new -key "$dir/player-$key.key" -sha256 -out "$dir/player-$key.csr" -subj "/C=US/O=Makapix/CN=$key"
    printf '%s\n' "subjectAltName=DNS:player-$key" "extendedKeyUsage=clientAuth" > "$dir/player-$key.ext"
    openssl x509 -req -in "$dir/player-$key.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
      -days "${DEV_PLAYER_DAYS:-1095}" -sha256 -extfile "$dir/player-$key.ext" -out "$dir/player-$key.crt" 2>/dev/null
    rm -f "$dir/player-$key.csr" "$dir/player-$key.ext"
    echo "$dir/player-$key.crt"
    ;;
  *) usage ;;
esac
