"""Extract: from a page's main text to the fields of the extraction contract."""
