#!/usr/bin/env bash
# Makes the certificates of mutual TLS inside the suite with a local CA
# (openssl): DIR/ca.crt and, per NAME, DIR/NAME.crt + DIR/NAME.key, valid
# for the host names NAME, localhost and 127.0.0.1 and usable both as a
# server and as a client certificate. The CA is made once and kept; a
# NAME's certificate is made again when missing, expiring within 30 days
# or not signed by the CA in DIR. Rotation: delete DIR/NAME.crt (or the
# whole DIR for a new CA), run again, restart the process.
#
#   ./deploy/certs.sh DIR NAME...
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
dir="$1"
shift
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
if [[ ! -s "$dir/ca.crt" || ! -s "$dir/ca.key" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=Gridbill/CN=Gridbill local CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  chmod 644 "$dir/ca.crt"
fi
for name in "$@"; do
  crt="$dir/$name.crt" key="$dir/$name.key"
  if [[ -s "$crt" && -s "$key" ]] && openssl x509 -checkend $((30 * 86400)) -noout -in "$crt" >/dev/null &&
    openssl verify -CAfile "$dir/ca.crt" "$crt" >/dev/null 2>&1; then
    continue
  fi
  ext="$(mktemp)"
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:$name,DNS:$name.gridbill.svc,DNS:localhost,IP:127.0.0.1" >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Gridbill/CN=$name" \
    -keyout "$key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 825 -extfile "$ext" -out "$crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
  chmod 644 "$crt"
done
