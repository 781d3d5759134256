"""Foundation: paths, problems, atomic writes, table finishing, the observation schema, run configuration, labels (i18n) and the cache. Imports nothing else of the package."""
