-- First-start initialisation of the shared PostgreSQL instance in
-- docker-compose.yml (the postgres image runs it once, on an empty data
-- directory, as the superuser).
--
-- One login role per organisation and one database per node service, owned by
-- that organisation's role. Nobody else may connect to them: a node cannot
-- read another node's data. (The hub keeps no data of its own.)
--
-- The passwords come from the container's environment (see
-- deploy/compose.env.example); \getenv needs psql 15 or newer.

\set ON_ERROR_STOP on

\getenv keycloak_password KEYCLOAK_DB_PASSWORD
\getenv mir_password BROBYGGER_DB_MIR_PASSWORD
\getenv mira_password BROBYGGER_DB_MIRA_PASSWORD
\getenv mkr_password BROBYGGER_DB_MKR_PASSWORD

-- Keycloak

CREATE ROLE keycloak LOGIN PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak;
REVOKE ALL ON DATABASE keycloak FROM PUBLIC;

-- MiR

CREATE ROLE mir LOGIN PASSWORD :'mir_password';
CREATE DATABASE mir_membership OWNER mir;
CREATE DATABASE mir_events OWNER mir;
CREATE DATABASE mir_referral OWNER mir;
CREATE DATABASE mir_reporting OWNER mir;
REVOKE ALL ON DATABASE mir_membership, mir_events, mir_referral, mir_reporting FROM PUBLIC;

-- MiRA-Senteret

CREATE ROLE mira LOGIN PASSWORD :'mira_password';
CREATE DATABASE mira_membership OWNER mira;
CREATE DATABASE mira_events OWNER mira;
CREATE DATABASE mira_referral OWNER mira;
CREATE DATABASE mira_reporting OWNER mira;
REVOKE ALL ON DATABASE mira_membership, mira_events, mira_referral, mira_reporting FROM PUBLIC;

-- Minhaj Konfliktråd

CREATE ROLE mkr LOGIN PASSWORD :'mkr_password';
CREATE DATABASE mkr_membership OWNER mkr;
CREATE DATABASE mkr_events OWNER mkr;
CREATE DATABASE mkr_referral OWNER mkr;
CREATE DATABASE mkr_reporting OWNER mkr;
REVOKE ALL ON DATABASE mkr_membership, mkr_events, mkr_referral, mkr_reporting FROM PUBLIC;
