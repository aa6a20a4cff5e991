-- Latchkey schema 3: failed sign-ins and refreshes per client and minute, in the database so
-- that every instance behind a load balancer counts the same failures. client_key is the
-- client's IPv4 address or IPv6 /64 in hex; window_start the minute's start (Unix ms, the same
-- minutes on every instance). Rows of past minutes are deleted by the servers.
CREATE TABLE auth_failures (
    client_key   TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures     INTEGER NOT NULL,
    PRIMARY KEY (client_key, window_start)
);
