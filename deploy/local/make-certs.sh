#!/usr/bin/env bash
# Makes test certificates for mutual TLS between the agencies' gateways, with openssl: a
# certificate authority, and for each agency a key and a certificate it presents both as a server
# (its exchange listener) and as a client (its calls to the other gateways): CN = the agency's code,
# subjectAltName DNS:localhost and IP:127.0.0.1, extended key usage serverAuth and clientAuth.
# Keys are readable by their owner only, as `gateway serve` requires.
#
#   deploy/local/make-certs.sh [FOLDER] [CA-NAME]     # default: deploy/local/secrets/certs, "PES test CA"
#
# FOLDER/ca.crt is what each gateway trusts (`tls.caFile`, `tls.clientCAFile`); FOLDER/<agency>.crt
# and .key are its `tls.certificateFile` and `tls.keyFile`; `<agency>.sha256` holds the SHA-256 of
# the certificate's DER bytes, the pin a peer's configuration names (`peers.X.certificate.sha256`).
# Not for production: an agency's certificates come from its PKI.
set -euo pipefail
folder="${1:-$(dirname "$0")/secrets/certs}"
ca_name="${2:-PES test CA}"
mkdir -p "$folder"
chmod 700 "$folder"
cd "$folder"
umask 077
if [ ! -f ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/O=PES test/CN=$ca_name" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
for agency in VDAB FOREM ACTIRIS ADG BF; do
  name=$(echo "$agency" | tr 'A-Z' 'a-z')
  [ -f "$name.crt" ] && continue
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/O=PES test/CN=$agency" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 30 -extfile "$name.ext" 2>/dev/null
  openssl x509 -in "$name.crt" -outform der | openssl dgst -sha256 | sed 's/^.*= //' > "$name.sha256"
  rm -f "$name.csr" "$name.ext"
done
chmod 644 ca.crt ./*.crt ./*.sha256
echo "certificates in $(pwd)"
