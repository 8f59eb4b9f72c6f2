"""Writing the knowledge base out for other tools: tables for pandas, R and OpenRefine (CSV, JSON Lines,
Parquet), the co-signature network for Gephi (GraphML, GEXF), people and organisations as Popolo JSON, and
a Datasette metadata file that documents the SQLite database itself."""
