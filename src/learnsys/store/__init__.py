"""The store of record: database engine, tables and migrations, accounts, audit, documents, plans, changes."""
