-- One PostgreSQL database per gateway (per agency), shared by that gateway's replicas.
-- Run as a superuser, once:  psql -v agency=vdab -v password="'…'" -f deploy/postgres/setup.sql
-- (the password is the one the replicas read from store.passwordFile).
--
-- The role owns its database and nothing else: the gateway creates and migrates its own tables
-- (`ledger_migration` lists what was applied), under an advisory lock, whichever replica starts first.
\set role gateway_:agency
\set database gateway_:agency

CREATE ROLE :"role" LOGIN PASSWORD :password
    -- Every replica opens at most store.connections (8 by default) connections, plus one held by
    -- each scheduled job while it runs (pick-up, reconcile, retention): 3 replicas × 11, with room.
    CONNECTION LIMIT 40;

-- UTF-8; the ledger's text columns compare byte by byte (COLLATE "C") whatever the locale.
CREATE DATABASE :"database" OWNER :"role" ENCODING 'UTF8' TEMPLATE template0 CONNECTION LIMIT 40;

-- A statement that waits longer than this for a lock gives up and its transaction is run again
-- by the gateway, rather than piling up behind a stuck session; idle transactions are ended.
ALTER ROLE :"role" SET lock_timeout = '30s';
ALTER ROLE :"role" SET idle_in_transaction_session_timeout = '5min';

\c :"database"
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO :"role";
