"""Raw inputs: one reader per raw format (CSV transcriptions, the UNODC workbook, reference tables), provenance and declared corrections. Each reader returns a table and its problems."""
