-- Runs once when the compose PostgreSQL volume is created: creditflow's own database.
CREATE ROLE creditflow LOGIN PASSWORD 'creditflow';
CREATE DATABASE creditflow OWNER creditflow;
