"""The website and JSON API over the knowledge base, with curation for those signed in:
:func:`solidarity_atlas.web.app.create_app`, run by ``solidarity serve``."""
