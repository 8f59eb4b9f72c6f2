"""The knowledge base: tables, migrations, writing extracted documents and reading them back."""
