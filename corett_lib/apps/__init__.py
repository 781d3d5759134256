"""Applications for people: the ipywidgets explorer and the member workbooks (template and ingest)."""
