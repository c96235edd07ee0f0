//! End-to-end tests live in `tests/`: they cross components and use real parts (a private
//! PostgreSQL cluster, moto server, the server's router).
