"""Database layer: engine, tables and read queries."""
