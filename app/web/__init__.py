"""The hypermedia pages: the shared frame (layout, language, assets, template helpers).

Each domain's pages live beside its API (``app/<domain>/pages.py``) and call the same services.
"""
