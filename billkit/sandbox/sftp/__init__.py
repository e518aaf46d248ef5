"""The sandbox's SFTP side (contract §9): billing files in, per-row results out.

server     the asyncssh server: login, the /inbound and /outbound tree, uploads handed over on close
ingest     processing one file: whole-file checks, then each row through the billing services
host_key   the host key kept in the database, and its fingerprint
folders    where files live on disk
"""
