#!/bin/bash
# Gives each node its own Kafka user and confines it to its own organisation's
# topics. Run once per `docker compose up` by the one-shot "kafka-init"
# service, with the Kafka image's tools, as the super user "admin":
#
#   kafka-init.sh ORG...          e.g. kafka-init.sh mir mira mkr
#
# For each ORG it
#   - sets the password of user "node-ORG" (SASL/SCRAM-SHA-512) to
#     $BROBYGGER_KAFKA_<ORG>_PASSWORD (ORG upper-cased, "-" as "_");
#   - allows that user to write, create, describe and read the topics whose
#     names start with "ORG." (the node's "ORG.<service>" topics; the dot keeps
#     "mir." from matching "mira."), and to read with the consumer groups
#     "ORG.<service>" of the node's consumers (reporting counting the facts;
#     membership, events and referral applying erasures). Nothing else: the
#     broker denies what no ACL allows.
#
# Safe to run again: a password is set anew and an ACL that exists is kept.
# Passwords never appear on a command line or in the output.
#
# Environment: KAFKA_ADMIN_PASSWORD (required), KAFKA_INIT_BOOTSTRAP (default
# kafka:9094, the broker's SASL/PLAIN listener), KAFKA_BIN (default
# /opt/kafka/bin).
set -euo pipefail

bootstrap="${KAFKA_INIT_BOOTSTRAP:-kafka:9094}"
bin="${KAFKA_BIN:-/opt/kafka/bin}"

fail() {
  echo "kafka-init: $*" >&2
  exit 2
}

[ "$#" -gt 0 ] || fail "name the organisations, e.g.: kafka-init.sh mir mira mkr"
[ -n "${KAFKA_ADMIN_PASSWORD:-}" ] || fail "KAFKA_ADMIN_PASSWORD is not set (see deploy/compose.env.example)"

# Check every organisation before changing anything.
for org in "$@"; do
  [[ "$org" =~ ^[a-z][a-z0-9-]{1,30}$ ]] || fail "'$org' is not an organisation id (lower-case, e.g. mir)"
  var="BROBYGGER_KAFKA_$(tr 'a-z-' 'A-Z_' <<<"$org")_PASSWORD"
  [ -n "${!var:-}" ] || fail "$var is not set (see deploy/compose.env.example)"
done

umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/admin.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
EOF

# The broker may still be loading its metadata just after it reports healthy.
retry() {
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if "$@"; then
      return 0
    fi
    echo "kafka-init: attempt $attempt failed; retrying in 3s" >&2
    sleep 3
  done
  fail "giving up on: $1"
}

configs() { "$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" "$@"; }
acls() { "$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$work/admin.properties" "$@"; }

for org in "$@"; do
  user="node-$org"
  var="BROBYGGER_KAFKA_$(tr 'a-z-' 'A-Z_' <<<"$org")_PASSWORD"
  # From a file, so that the password is in no process's arguments.
  printf 'SCRAM-SHA-512=iterations=8192,password=%s\n' "${!var}" >"$work/scram.properties"
  retry configs --alter --entity-type users --entity-name "$user" --add-config-file "$work/scram.properties"
  rm -f "$work/scram.properties"
  retry acls --add --allow-principal "User:$user" \
    --resource-pattern-type prefixed --topic "$org." \
    --operation Write --operation Create --operation Describe --operation Read
  for service in membership events referral reporting; do
    retry acls --add --allow-principal "User:$user" \
      --resource-pattern-type literal --group "$org.$service" \
      --operation Read
  done
  echo "kafka-init: $user may write and read topics $org.* and consume as groups $org.{membership,events,referral,reporting}"
done
