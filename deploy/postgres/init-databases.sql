-- Runs once, on the first start of the postgres service (an empty data volume): creates Temporal's two
-- databases next to the app's read model (`damrongdham`, created by POSTGRES_DB). Temporal's
-- auto-setup then only creates and upgrades their schemas (SKIP_DB_CREATE=true).
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
