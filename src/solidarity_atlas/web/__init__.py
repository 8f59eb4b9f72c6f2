"""The read-only website and JSON API over the knowledge base: :func:`solidarity_atlas.web.app.create_app`,
run by ``solidarity serve``."""
